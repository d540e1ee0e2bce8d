// The two decisions that change who may work a conversation, each confirmed in a modal dialog: taking it over from a
// colleague (who is told, and it is recorded), and for a supervisor, transferring it to another team (a team picker).
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { Conversation } from '../../shared/domain';
import { customerLabel } from '../ui/customer-label';
import { assigneeName } from '../ui/people';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

const t = strings.team;

/** The pending confirmation, if it is about this conversation. */
export function ConfirmDialogs({ conversation }: { conversation: Conversation }) {
  const confirm = useAppStore((s) => s.confirm);
  if (confirm?.conversationId !== conversation.id) return null;
  return confirm.kind === 'take_over' ? <TakeOverDialog conversation={conversation} /> : <TransferDialog conversation={conversation} />;
}

function Modal({ title, onCancel, children }: { title: string; onCancel(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="confirm-dialog" aria-labelledby={titleId} onClose={onCancel}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

function TakeOverDialog({ conversation }: { conversation: Conversation }) {
  const directory = useAppStore((s) => s.directory);
  const assign = useAppStore((s) => s.assign);
  const cancel = useAppStore((s) => s.cancelConfirm);
  const holder = assigneeName(conversation, directory) ?? t.colleague;
  return (
    <Modal title={t.takeOverTitle} onCancel={cancel}>
      <p>{t.takeOverBody(holder, customerLabel(conversation).name)}</p>
      <div className="dialog-actions">
        <button type="button" className="button-quiet" onClick={cancel}>
          {t.cancel}
        </button>
        <button type="button" className="button-primary" onClick={() => void assign(conversation.id, true, true)}>
          {t.takeOverConfirm}
        </button>
      </div>
    </Modal>
  );
}

function TransferDialog({ conversation }: { conversation: Conversation }) {
  const directory = useAppStore((s) => s.directory);
  const directoryError = useAppStore((s) => s.directoryError);
  const loadDirectory = useAppStore((s) => s.loadDirectory);
  const transfer = useAppStore((s) => s.transfer);
  const cancel = useAppStore((s) => s.cancelConfirm);
  const [chosen, setChosen] = useState<string | null>(null);
  // The directory may be older than the teams: fetch it again when the picker opens (offline, the copy kept here).
  useEffect(() => void loadDirectory(), [loadDirectory]);
  const teams = directory?.teams.filter((team) => team.id !== conversation.team?.id) ?? null;
  const team = teams?.find((candidate) => candidate.id === chosen);
  return (
    <Modal title={t.transferTitle} onCancel={cancel}>
      <p>{t.transferBody(customerLabel(conversation).name, conversation.team?.name ?? null)}</p>
      {teams === null ? (
        <p className={directoryError === null ? 'muted' : 'form-error'}>{directoryError ?? t.loadingTeams}</p>
      ) : teams.length === 0 ? (
        <p className="muted">{t.transferNoTeams}</p>
      ) : (
        <fieldset className="team-picker">
          <legend>{t.transferChoose}</legend>
          {teams.map((candidate) => (
            <label key={candidate.id} className="choice">
              <input type="radio" name="transfer-team" checked={chosen === candidate.id} onChange={() => setChosen(candidate.id)} />
              <bdi>{candidate.name}</bdi>
            </label>
          ))}
        </fieldset>
      )}
      <div className="dialog-actions">
        <button type="button" className="button-quiet" onClick={cancel}>
          {t.cancel}
        </button>
        <button
          type="button"
          className="button-primary"
          disabled={team === undefined}
          onClick={() => team !== undefined && void transfer(conversation.id, team)}
        >
          {t.transferConfirm}
        </button>
      </div>
    </Modal>
  );
}
