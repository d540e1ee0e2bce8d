// Sign-in: the relay address (read-only when IT fixed it), its host named plainly, and the agent's token. A refused
// token keeps the address.
import { useId, useState, type FormEvent } from 'react';
import { RelayUrl } from '../../shared/contract';
import { strings } from '../ui/strings';
import { relayHostOf } from './relay-host';
import { useAppStore } from '../store/use-app-store';

const s = strings.login;

export function LoginScreen({ credentialsNeeded }: { credentialsNeeded: boolean }) {
  const session = useAppStore((st) => st.session);
  const signIn = useAppStore((st) => st.signIn);
  const submitSignIn = useAppStore((st) => st.submitSignIn);
  const locked = session?.relayUrlLocked === true;
  const [relayUrl, setRelayUrl] = useState(session?.relayUrl ?? '');
  const [token, setToken] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const errorId = useId();
  const hostId = useId();
  const relayHost = relayHostOf(relayUrl);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!RelayUrl.safeParse(relayUrl.trim()).success) return setFormError(s.badUrl);
    if (token.trim().length < 8) return setFormError(s.shortToken);
    setFormError(null);
    // The token is cleared only on success: a typo is easier to fix when it is still there.
    if (await submitSignIn(relayUrl, token)) setToken('');
  };

  const error = formError ?? signIn.error;
  return (
    <main className="login" aria-label={s.region}>
      <form className="login-card" onSubmit={(e) => void onSubmit(e)} aria-describedby={error === null ? undefined : errorId} noValidate>
        <h2>{s.title}</h2>
        <p className="muted">{credentialsNeeded ? s.credentialsNeeded : s.intro}</p>
        <label className="field">
          <span>{s.relayUrl}</span>
          <input
            type="url"
            name="relayUrl"
            value={relayUrl}
            onChange={(e) => setRelayUrl(e.target.value)}
            readOnly={locked}
            aria-readonly={locked}
            placeholder={s.urlPlaceholder}
            aria-describedby={relayHost === null ? undefined : hostId}
            autoComplete="url"
            spellCheck={false}
            required
          />
          {relayHost !== null && (
            <small id={hostId} className="login-host">
              {s.relayHost} <strong>{relayHost.host}</strong>
              {!relayHost.encrypted && <> {s.notEncrypted}</>}
            </small>
          )}
          {locked && <small className="muted">{s.lockedUrl}</small>}
        </label>
        <label className="field">
          <span>{s.token}</span>
          <input
            type="password"
            name="token"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            required
            autoFocus
          />
        </label>
        {error !== null && (
          <p id={errorId} role="alert" className="form-error">
            {error}
            {signIn.errorCode === 'unauthorized' && formError === null && <> {s.tokenHint}</>}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={signIn.busy}>
          {signIn.busy ? s.signingIn : s.signIn}
        </button>
      </form>
    </main>
  );
}
