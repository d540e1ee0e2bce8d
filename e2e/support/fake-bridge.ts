// A scripted window.branchline installed before the built renderer loads (the page then skips its own bridge): the
// UI's states that need a relay in odd moods (single sign-on, a session that ended) are driven from the test.

export interface FakeBridgeSetup {
  session: unknown;
  connection: unknown;
  methods: unknown;
  conversations: unknown[];
}

/** Runs in the page (serialised by addInitScript): only what it is given, no imports. */
export function installFakeBridge(setup: FakeBridgeSetup): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: { method: string; input: unknown }[] = [];
  const answers: Record<string, (input: unknown) => unknown> = {
    'session.get': () => setup.session,
    'connection.get': () => setup.connection,
    'sync.get': () => ({ phase: 'idle', done: 0, total: 0 }),
    'settings.get': () => ({ notificationPrivacy: 'show', sounds: false, closeToTray: false, theme: 'system' }),
    'app.status': () => ({ version: 'test', policyProblems: [], tokenStorage: 'secure', notificationPrivacyLocked: false, updateReady: false }),
    'session.authMethods': () => setup.methods,
    'session.ssoStart': () => ({ authorizationUrl: 'https://login.bank.example/authorize?state=s1', opened: true }),
    'session.ssoCancel': () => ({ ok: true }),
    'conversations.list': () => ({ items: setup.conversations, total: setup.conversations.length }),
    'conversations.get': (input) =>
      setup.conversations.find((c) => (c as { conversation: { id: string } }).conversation.id === (input as { conversationId: string }).conversationId),
    'conversations.setOpen': () => ({ ok: true }),
    'messages.page': () => ({ messages: [], olderCursor: null, hasOlder: false }),
    'drafts.get': () => ({ text: '' }),
    'drafts.save': () => ({ ok: true }),
    'templates.list': () => ({ templates: [] }),
    'directory.get': () => ({ me: { id: 'me', name: 'Agent Me', role: 'agent', teams: [] }, agents: [], teams: [], fetchedAt: 0 }),
  };
  const api: Record<string, unknown> = {
    on(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  for (const method of Object.keys(answers)) {
    api[method] = async (input: unknown) => {
      calls.push({ method, input });
      return answers[method]?.(input);
    };
  }
  Object.assign(window, {
    branchline: new Proxy(api, {
      // Anything not scripted is refused as the real service refuses an unknown method ('then' stays absent: not a promise).
      get: (target, name) =>
        typeof name !== 'string' || name === 'then' || name in target
          ? Reflect.get(target, name)
          : async () => Promise.reject(Object.assign(new Error(`no fake for ${name}`), { code: 'unknown_method' })),
    }),
    fakeBridge: {
      calls: (method: string) => calls.filter((c) => c.method === method).map((c) => c.input),
      emit: (event: string, payload: unknown) => listeners.get(event)?.forEach((listener) => listener(payload)),
    },
  });
}
