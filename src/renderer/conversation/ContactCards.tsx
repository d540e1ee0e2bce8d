// Contact cards a customer shared: name, organisation, phones and e-mails, each with Copy; a phone that is on WhatsApp
// offers to open the conversation with that number, or to start one.
import { useEffect, useState } from 'react';
import type { ContactCard } from '../../shared/domain';
import { formatPhone } from '../ui/format';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

const c = strings.kinds.contacts;

export function ContactCards({ contacts }: { contacts: readonly ContactCard[] }) {
  return (
    <div className="contact-cards">
      <span className="kind-label">{contacts.length === 1 ? c.label : c.labelMany(contacts.length)}</span>
      {contacts.map((card, i) => (
        <Card key={i} card={card} />
      ))}
    </div>
  );
}

function Card({ card }: { card: ContactCard }) {
  return (
    <section className="contact-card" aria-label={card.name}>
      <bdi className="contact-name">{card.name}</bdi>
      {card.organization !== undefined && card.organization !== '' && (
        <span className="muted">
          {c.organisation}: <bdi>{card.organization}</bdi>
        </span>
      )}
      <ul className="contact-lines">
        {card.phones.map((p, i) => (
          <li key={`p${i}`}>
            <span className="contact-line">
              <span className="muted">{labelText(p.label) ?? c.phone}</span> <bdi dir="ltr">{p.phone}</bdi>
              {p.waId !== undefined && <span className="wa-badge">{c.onWhatsApp}</span>}
              <CopyButton text={p.phone} what={p.phone} />
            </span>
            {p.waId !== undefined && <WhatsAppAction waId={p.waId} />}
          </li>
        ))}
        {card.emails.map((e, i) => (
          <li key={`e${i}`}>
            <span className="contact-line">
              <span className="muted">{labelText(e.label) ?? c.email}</span> <bdi dir="ltr">{e.email}</bdi>
              <CopyButton text={e.email} what={e.email} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <>
      <button type="button" className="button-link" onClick={copy} aria-label={c.copyWhat(what)}>
        {state === 'copied' ? c.copied : c.copy}
      </button>
      {state === 'failed' && (
        <span role="alert" className="form-error">
          {c.copyFailed}
        </span>
      )}
    </>
  );
}

function WhatsAppAction({ waId }: { waId: string }) {
  const existing = useAppStore((s) => s.contactConversations[waId]);
  const error = useAppStore((s) => s.contactErrors[waId] ?? null);
  const lookUp = useAppStore((s) => s.lookUpContact);
  const start = useAppStore((s) => s.startConversationWith);
  const [busy, setBusy] = useState(false);
  useEffect(() => void lookUp(waId), [lookUp, waId]);
  const open = existing !== undefined && existing !== null;
  const number = formatPhone(waId);
  const act = () => {
    setBusy(true);
    void start(waId).finally(() => setBusy(false));
  };
  return (
    <span className="contact-action">
      <button type="button" onClick={act} disabled={busy} aria-label={open ? c.openWhat(number) : c.startWhat(number)}>
        {open ? c.open : c.start}
      </button>
      {error !== null && (
        <span role="alert" className="form-error">
          {error}
        </span>
      )}
    </span>
  );
}

/** WhatsApp's label for a phone or e-mail ("CELL", "WORK") as a word ("Cell", "Work"); the customer's own labels as typed. */
function labelText(label: string | undefined): string | null {
  if (label === undefined || label === '') return null;
  return label === label.toUpperCase() ? `${label.charAt(0)}${label.slice(1).toLowerCase()}` : label;
}
