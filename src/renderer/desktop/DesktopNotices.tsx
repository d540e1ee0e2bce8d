// Notices under the header for what must not go unseen: a broken IT policy, a token without OS protection, an update waiting.
import { useEffect } from 'react';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

const t = strings.desktop;

export function DesktopNotices() {
  const status = useAppStore((s) => s.appStatus);
  const load = useAppStore((s) => s.loadAppStatus);
  useEffect(() => {
    void load();
  }, [load]);
  if (status === null) return null;
  const problems = status.policyProblems;
  if (problems.length === 0 && status.tokenStorage === 'secure' && !status.updateReady) return null;
  return (
    <section className="desktop-notices" aria-label={t.region}>
      {problems.length > 0 && (
        <div role="alert" className="notice notice-warn">
          <strong>{t.policyTitle}</strong> {t.policyIntro}
          <ul>
            {problems.map((p) => (
              <li key={p.key}>
                <code>{p.key}</code>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {status.tokenStorage === 'memory_only' && (
        <div role="alert" className="notice notice-warn">
          <strong>{t.weakTokenTitle}</strong> {t.weakToken}
        </div>
      )}
      {status.updateReady && <div className="notice notice-info">{t.updateReady}</div>}
    </section>
  );
}
