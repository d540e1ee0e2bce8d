// The bank case this conversation belongs to: shown, changed or removed (conversations.linkCase).
import { useState, type FormEvent } from 'react';
import { CaseId } from '../../shared/domain';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { ActionError } from './ActionError';

const p = strings.customer;

/** `readOnly`: a colleague holds the conversation, so only they (or a supervisor) may link a case. */
export function CaseLink({ conversationId, caseId, readOnly = false }: { conversationId: string; caseId: string | null; readOnly?: boolean }) {
  const action = useAppStore((s) => s.customerAction);
  const linkCase = useAppStore((s) => s.linkCase);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  const busy = action.busy && action.conversationId === conversationId;
  const error = action.conversationId === conversationId && action.kind === 'case' ? action.error : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = value.trim();
    if (!CaseId.safeParse(trimmed).success) return setInvalid(true);
    setInvalid(false);
    if (await linkCase(conversationId, trimmed)) setEditing(false);
  };

  return (
    <section className="panel-section" aria-label={p.bankCase}>
      <h3>{p.bankCase}</h3>
      {editing ? (
        <form onSubmit={(e) => void submit(e)} className="case-form">
          <label className="field">
            <span>{p.caseNumber}</span>
            <input type="text" value={value} onChange={(e) => setValue(e.target.value)} maxLength={64} aria-invalid={invalid} spellCheck={false} autoFocus />
          </label>
          {invalid && <p className="form-error">{p.caseInvalid}</p>}
          <div className="button-row">
            <button type="submit" disabled={busy}>
              {p.saveCase}
            </button>
            <button type="button" className="button-quiet" onClick={() => setEditing(false)}>
              {p.cancel}
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>{caseId ?? p.noCase}</p>
          <div className="button-row">
            <button
              type="button"
              disabled={readOnly}
              onClick={() => {
                setValue(caseId ?? '');
                setInvalid(false);
                setEditing(true);
              }}
            >
              {caseId === null ? p.linkCase : p.changeCase}
            </button>
            {caseId !== null && (
              <button type="button" className="button-quiet" onClick={() => void linkCase(conversationId, null)} disabled={busy || readOnly}>
                {p.unlinkCase}
              </button>
            )}
          </div>
        </>
      )}
      <ActionError message={error} />
    </section>
  );
}
