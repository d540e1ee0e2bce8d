// The ways into a relay as it offers them: the bank's single sign-on first, the agent token second (or alone), and the
// one error line the agent needs. Shared by the sign-in screen and the prompt after a session ended.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { RelayUrl } from '../../shared/contract';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { methodsFor } from './session-slice';
import { signInView } from './sign-in-view';

const s = strings.login;

export function SignInChoices({ relayUrl }: { relayUrl: string }) {
  const signIn = useAppStore((st) => st.signIn);
  const auth = useAppStore((st) => st.authMethods);
  const sso = useAppStore((st) => st.sso);
  const submitSignIn = useAppStore((st) => st.submitSignIn);
  const loadAuthMethods = useAppStore((st) => st.loadAuthMethods);
  const startSso = useAppStore((st) => st.startSso);
  const cancelSso = useAppStore((st) => st.cancelSso);
  const [token, setToken] = useState('');
  const [tokenOpen, setTokenOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const errorId = useId();
  const ssoRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const address = relayUrl.trim();
  const view = signInView(methodsFor(auth, address), sso.phase, { opened: tokenOpen, typed: token !== '' });
  const pending = view.waiting;
  const methodsFailed = auth.status === 'failed' && auth.relayUrl === address;

  // The primary action takes the focus when it appears, unless the agent is typing somewhere.
  useEffect(() => {
    const typing = document.activeElement instanceof HTMLInputElement;
    if (pending) cancelRef.current?.focus();
    else if (view.sso && !typing) ssoRef.current?.focus();
  }, [pending, view.sso]);

  const validAddress = () => {
    if (RelayUrl.safeParse(address).success) return true;
    setFormError(s.badUrl);
    return false;
  };

  const onToken = async (event: FormEvent) => {
    event.preventDefault();
    if (!validAddress()) return;
    if (token.trim().length < 8) return setFormError(s.shortToken);
    setFormError(null);
    // The token is cleared only on success: a typo is easier to fix when it is still there.
    if (await submitSignIn(address, token)) setToken('');
  };

  const onSso = async () => {
    if (!validAddress()) return;
    setFormError(null);
    const navigateTo = await startSso(address);
    // The web preview has no system browser: this page goes to the provider and comes back signed in.
    if (navigateTo !== null) window.location.assign(navigateTo);
  };

  let error: string | null = formError;
  if (error === null && sso.phase === 'failed') error = `${s.ssoFailed} ${sso.error ?? ''}`.trim();
  const tokenRefused = error === null && signIn.error !== null && signIn.errorCode === 'unauthorized';
  if (error === null) error = signIn.error ?? (methodsFailed ? auth.error : null);

  return (
    <div className="sign-in-choices">
      {auth.status === 'loading' && auth.relayUrl === address && !pending && (
        <p className="muted" aria-busy="true">
          {s.checkingMethods}
        </p>
      )}
      {view.sso && (
        <button
          ref={ssoRef}
          type="button"
          className="button-primary login-sso"
          onClick={() => void onSso()}
          aria-describedby={error === null ? undefined : errorId}
        >
          {s.sso}
        </button>
      )}
      <div className="sso-live" aria-live="polite">
        {pending && (
          <div className="sso-waiting">
            <p>
              <strong>{sso.phase === 'starting' ? s.ssoStarting : s.ssoWaiting}</strong>
            </p>
            {sso.phase === 'waiting' && <p className="muted">{s.ssoWaitingHelp}</p>}
            <button ref={cancelRef} type="button" onClick={() => void cancelSso()}>
              {s.ssoCancel}
            </button>
          </div>
        )}
      </div>
      {view.token === 'collapsed' && (
        <button type="button" className="button-link login-use-token" onClick={() => setTokenOpen(true)}>
          {s.useToken}
        </button>
      )}
      {view.token === 'shown' && (
        <form className="login-token" onSubmit={(e) => void onToken(e)} aria-describedby={error === null ? undefined : errorId} noValidate>
          {view.sso && <p className="login-or muted">{s.orToken}</p>}
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
              autoFocus={tokenOpen || !view.sso}
            />
          </label>
          <button type="submit" className={view.sso ? undefined : 'button-primary'} disabled={signIn.busy}>
            {signIn.busy ? s.signingIn : s.signIn}
          </button>
        </form>
      )}
      {error !== null && (
        <p id={errorId} role="alert" className="form-error">
          {error}
          {tokenRefused && <> {s.tokenHint}</>}
        </p>
      )}
      {methodsFailed && error === auth.error && (
        <button type="button" className="button-quiet" onClick={() => void loadAuthMethods(address, true)}>
          {s.retryMethods}
        </button>
      )}
    </div>
  );
}
