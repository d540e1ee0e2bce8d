// What the UI bench runs inside the page, as script text (the Node typecheck has no DOM): long tasks, first list row,
// and the bridge's calls as they are sent and answered. Elements are found by role and accessible name only.

/** Installed before any page script runs. */
export const INIT_SCRIPT = `(() => {
  const bench = { longTasks: [], firstList: null, calls: new Map(), waiters: [] };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (bench.wsCreatedAt === undefined) bench.wsCreatedAt = performance.now();
      this.addEventListener('open', () => { if (bench.wsOpenAt === undefined) bench.wsOpenAt = performance.now(); });
      this.addEventListener('message', (m) => {
        if (typeof m.data !== 'string') return;
        const match = /^\\{"type":"result","id":(\\d+)/.exec(m.data.slice(0, 40));
        const call = match && bench.calls.get(Number(match[1]));
        if (!call) return;
        call.answeredAt = performance.now();
        for (const w of bench.waiters.splice(0)) w(call);
      });
    }
    send(data) {
      const match = typeof data === 'string' ? /^\\{"type":"call","id":(\\d+),"method":"([^"]+)"/.exec(data.slice(0, 120)) : null;
      if (match) bench.calls.set(Number(match[1]), { method: match[2], before: data.includes('"before":'), sentAt: performance.now(), answeredAt: null });
      super.send(data);
    }
  };
  bench.list = () => document.querySelector('[aria-label="Conversations"]:is([role="listbox"],[role="list"])');
  bench.messages = () => document.querySelector('[role="log"]') ?? document.querySelector('[role="list"][aria-label="Messages"]');
  bench.messageRows = () => bench.messages()?.querySelectorAll('[role="listitem"],[role="article"]').length ?? 0;
  bench.scroller = () => {
    let el = bench.messages();
    while (el && !(el.scrollHeight > el.clientHeight && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
    return el;
  };
  /** After the next frame is painted (approximately: a task queued from the frame's callback). */
  bench.painted = () => new Promise((resolve) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => resolve(performance.now()); ch.port2.postMessage(0); }));
  bench.answer = (test, timeoutMs) => new Promise((resolve) => {
    const done = [...bench.calls.values()].find((c) => c.answeredAt !== null && test(c));
    if (done) return resolve(done);
    const timer = setTimeout(() => resolve(null), timeoutMs);
    const wait = (call) => { if (test(call)) { clearTimeout(timer); resolve(call); } else bench.waiters.push(wait); };
    bench.waiters.push(wait);
  });
  const observer = new MutationObserver(() => {
    if (bench.firstList !== null) return;
    if (bench.list()?.querySelector('[role="option"],[role="listitem"]')) { bench.firstList = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

/** Clicks the row whose accessible name starts with the name; resolves with ms until its messages are painted. */
export const OPEN_CONVERSATION = `async (name) => {
  const bench = window.__bench;
  const row = [...(bench.list()?.querySelectorAll('[role="option"],[role="listitem"]') ?? [])].find((r) => (r.getAttribute('aria-label') ?? r.textContent ?? '').startsWith(name));
  if (!row) return { error: 'the long conversation is not among the rendered rows of the Conversations list' };
  const t0 = performance.now();
  row.click();
  const page = await bench.answer((c) => c.method === 'messages.page' && !c.before && c.sentAt >= t0, 10000);
  if (!page) return { error: 'opening it asked the console for no messages.page within 10 s' };
  let at = await bench.painted();
  const deadline = t0 + 10000;
  while (bench.messageRows() === 0) { if (performance.now() > deadline) return { error: 'no message row appeared within 10 s' }; at = await bench.painted(); }
  return { ms: at - t0 };
}`;

/** Scrolls the open conversation to its top; resolves with ms until the older page is answered and painted. */
export const LOAD_OLDER = `async () => {
  const bench = window.__bench;
  const scroller = bench.scroller();
  if (!scroller) return { error: 'no scrollable message pane around the messages' };
  const t0 = performance.now();
  scroller.scrollTop = 0;
  const page = await bench.answer((c) => c.method === 'messages.page' && c.before && c.sentAt >= t0, 10000);
  if (!page) return { error: 'scrolling to the top asked for no older messages.page within 10 s' };
  const at = await bench.painted();
  return { ms: at - t0, fetchMs: page.answeredAt - page.sentAt };
}`;

export const SCROLL_TO_END = `() => { const s = window.__bench.scroller(); if (s) s.scrollTop = s.scrollHeight; return performance.now(); }`;

export const LONG_TASKS_SINCE = `(since) => {
  const tasks = window.__bench.longTasks.filter((t) => t.start >= since);
  return { count: tasks.length, maxMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0), totalMs: tasks.reduce((s, t) => s + t.duration, 0) };
}`;

export const MESSAGES_CONTAIN = `(text) => (window.__bench.messages()?.textContent ?? '').includes(text) || [...(window.__bench.messages()?.querySelectorAll('[aria-label]') ?? [])].some((e) => e.getAttribute('aria-label').includes(text))`;

/** Where the first list render's time went: page load, the conversations.list call, rendering. */
export const LIST_PHASES = `() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const list = [...window.__bench.calls.values()].find((c) => c.method === 'conversations.list');
  return { domContentLoaded: nav ? nav.domContentLoadedEventEnd : null, bridgeCreated: window.__bench.wsCreatedAt ?? null, bridgeOpen: window.__bench.wsOpenAt ?? null, listSent: list ? list.sentAt : null, listAnswered: list ? list.answeredAt : null, firstRow: window.__bench.firstList };
}`;
