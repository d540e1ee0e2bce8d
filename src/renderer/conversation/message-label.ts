// What a message says in words: its delivery state, a one-line summary, and the bubble's accessible name.
import type { Message, MessageContent, MessageStatus, SendFailure } from '../../shared/domain';
import { formatPhone } from '../ui/format';
import { formatTotals, itemCount } from '../ui/order-total';
import { strings } from '../ui/strings';

const m = strings.message;
const k = strings.kinds;

/**
 * The outbound states the agent sees. "queued": saved on this computer, the relay does not have it yet
 * (offline, or an instant before sending). "pending": the relay holds it but WhatsApp has not accepted it,
 * shown as "Sending". "Sent" only once WhatsApp accepted it; then "Delivered" and "Read" from the phone.
 */
export function statusLabel(status: MessageStatus, failure: SendFailure | null): string {
  switch (status) {
    case 'queued':
      return m.status.queued;
    case 'pending':
      return m.status.pending;
    case 'sent':
      return m.status.sent;
    case 'delivered':
      return m.status.delivered;
    case 'read':
      return m.status.read;
    case 'failed':
      return m.status.failed(failureText(failure));
  }
}

/** Why a send failed, in words the agent can act on. */
export function failureText(failure: SendFailure | null): string {
  if (failure === null) return m.failure.unknown;
  // "rejected" is the catch-all: the detail the service or Meta gave is the only clue, so it is shown too.
  if (failure.code === 'rejected' && failure.message.trim() !== '') return m.failure.rejectedBecause(failure.message.trim());
  return m.failure[failure.code];
}

/** One line for a message: quoted replies, accessible names, the image viewer's title. */
export function contentSummary(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'image':
      return withCaption(m.kinds.image, content.caption);
    case 'video':
      return withCaption(m.kinds.video, content.caption);
    case 'sticker':
      return m.kinds.sticker;
    case 'audio':
      return content.voice === true ? m.kinds.voice : m.kinds.audio;
    case 'document':
      return withCaption(`${m.kinds.document}: ${content.fileName ?? m.unnamedFile}`, content.caption);
    case 'location':
      return [m.kinds.location, content.name, content.address].filter((s) => s !== undefined && s !== '').join(': ');
    case 'reaction':
      return content.emoji === '' ? m.reactionRemoved : m.reacted(content.emoji);
    case 'template':
      return m.templateSummary(content.name, content.parameters);
    case 'button_reply':
      return content.text;
    case 'contacts': {
      const names = content.contacts.map((c) => c.name).join(', ');
      return content.contacts.length === 1 ? k.contacts.summary(names) : k.contacts.summaryMany(names);
    }
    case 'order':
      return k.order.summary(itemCount(content), content.items.length === 0 ? '' : formatTotals(content));
    case 'interactive_reply':
      return k.interactive.summary(k.interactive[content.kind], content.title ?? content.fields[0]?.value ?? null);
    case 'system':
      return systemText(content);
    case 'deleted':
      return k.deleted;
    case 'unsupported':
      return m.unsupported(content.waType);
  }
}

/** A system line in words: the customer opened the chat, changed their number (to which, when known), … */
export function systemText(content: Extract<MessageContent, { type: 'system' }>): string {
  if (content.event === 'number_changed' && content.newWaId !== undefined) return k.system.numberChangedTo(formatPhone(content.newWaId));
  if (content.event === 'other' && content.text !== undefined && content.text !== '') return content.text;
  return k.system[content.event];
}

function withCaption(label: string, caption: string | undefined): string {
  return caption === undefined || caption === '' ? label : `${label}: ${caption}`;
}

/**
 * The bubble's accessible name; an outbound one ends with its state ("… — Delivered", "… — Failed: <reason>"), or with
 * `state` when the caller words it (a colleague's message queued here: "Queued by Dana Levi · not sent").
 */
export function messageAccessibleName(message: Message, who: string, time: string, state?: string): string {
  const summary = contentSummary(message.content);
  const short = summary.length > 300 ? `${summary.slice(0, 299)}…` : summary;
  const edited = message.edited !== undefined && message.edited !== null && message.content.type !== 'deleted' ? ` (${k.edited})` : '';
  const base = `${who}, ${time}: ${short}${edited}`;
  return message.direction === 'out' ? `${base} — ${state ?? statusLabel(message.status, message.failure)}` : base;
}
