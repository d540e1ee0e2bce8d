// The application shell: start-up, sign-in or the workspace, and the status bar that is always there.
import { StatusBar } from '../connection/StatusBar';
import { LoginScreen } from '../login/LoginScreen';
import { DesktopNotices } from '../desktop/DesktopNotices';
import { AppHeader } from './AppHeader';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { Workspace } from './Workspace';

export function App() {
  const boot = useAppStore((s) => s.boot);
  const signedIn = useAppStore((s) => s.session?.signedIn === true);
  const credentialsNeeded = useAppStore((s) => s.connection?.status === 'credentials_needed');
  const bootError = useAppStore((s) => s.bootError);
  const start = useAppStore((s) => s.start);

  let body;
  if (boot === 'starting') {
    body = <main className="app-message" aria-label={strings.workspace} aria-busy="true" />;
  } else if (boot === 'unavailable') {
    body = (
      <main className="app-message" aria-label={strings.workspace}>
        <p>{bootError}</p>
        <button type="button" onClick={() => void start()}>
          {strings.connection.tryAgain}
        </button>
      </main>
    );
  } else if (!signedIn || credentialsNeeded) {
    body = <LoginScreen credentialsNeeded={signedIn && credentialsNeeded} />;
  } else {
    body = <Workspace />;
  }

  return (
    <div className="app">
      <AppHeader />
      {boot === 'ready' && <DesktopNotices />}
      {body}
      <StatusBar />
    </div>
  );
}
