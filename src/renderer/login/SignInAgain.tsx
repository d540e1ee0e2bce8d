// The calm prompt when a device session has ended: over the agent's workspace (visible, read-only behind it), naming
// them, saying what waits to be sent, and offering the same ways in as the sign-in screen.
import { useEffect, useId, useRef } from 'react';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { relayHostOf } from './relay-host';
import { SignInChoices } from './SignInChoices';

const s = strings.login;

export function SignInAgain({ relayUrl }: { relayUrl: string }) {
  const name = useAppStore((st) => st.session?.agent?.name ?? null);
  const queued = useAppStore((st) => st.connection?.queued ?? 0);
  const loadAuthMethods = useAppStore((st) => st.loadAuthMethods);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const host = relayHostOf(relayUrl);

  useEffect(() => {
    const dialog = ref.current;
    // Modal: the workspace behind stays on screen but takes no input until the agent is back.
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  useEffect(() => {
    void loadAuthMethods(relayUrl);
  }, [relayUrl, loadAuthMethods]);

  return (
    // Escape does not dismiss it: there is nothing to go back to until the agent has signed in.
    <dialog ref={ref} className="sign-in-again" aria-labelledby={titleId} aria-describedby={bodyId} onCancel={(e) => e.preventDefault()}>
      <h2 id={titleId}>{s.againTitle}</h2>
      <div id={bodyId}>
        <p>{s.againBody(name)}</p>
        {queued > 0 && <p>{s.againQueued(queued)}</p>}
        <p className="muted">{s.againDrafts}</p>
      </div>
      {host !== null && (
        <p className="login-host muted">
          {s.relayHost} <strong>{host.host}</strong>
          {!host.encrypted && <> {s.notEncrypted}</>}
        </p>
      )}
      <SignInChoices relayUrl={relayUrl} />
    </dialog>
  );
}
