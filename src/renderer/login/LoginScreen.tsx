// Sign-in: the relay address (read-only when IT fixed it), its host named plainly, then the ways in that relay offers
// (single sign-on, the agent token). A refused token keeps the address.
import { useEffect, useId, useState } from 'react';
import { RelayUrl } from '../../shared/contract';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { relayHostOf } from './relay-host';
import { SignInChoices } from './SignInChoices';

const s = strings.login;

export function LoginScreen({ credentialsNeeded }: { credentialsNeeded: boolean }) {
  const session = useAppStore((st) => st.session);
  const loadAuthMethods = useAppStore((st) => st.loadAuthMethods);
  const locked = session?.relayUrlLocked === true;
  const [relayUrl, setRelayUrl] = useState(session?.relayUrl ?? '');
  const relayHost = relayHostOf(relayUrl);
  const hostId = useId();

  // Asked once the address is known: on arrival (saved, or fixed by IT), and when the agent leaves the field or presses Enter.
  const askRelay = (address: string) => {
    if (RelayUrl.safeParse(address.trim()).success) void loadAuthMethods(address);
  };
  const initial = session?.relayUrl ?? '';
  useEffect(() => {
    if (RelayUrl.safeParse(initial.trim()).success) void loadAuthMethods(initial);
  }, [initial, loadAuthMethods]);

  return (
    <main className="login" aria-label={s.region}>
      <div className="login-card">
        <h2>{s.title}</h2>
        <p className="muted">{credentialsNeeded ? s.credentialsNeeded : s.intro}</p>
        <label className="field">
          <span>{s.relayUrl}</span>
          <input
            type="url"
            name="relayUrl"
            value={relayUrl}
            onChange={(e) => setRelayUrl(e.target.value)}
            onBlur={() => askRelay(relayUrl)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              askRelay(relayUrl);
            }}
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
        <SignInChoices relayUrl={relayUrl} />
      </div>
    </main>
  );
}
