// The application shell: start-up, sign-in or the workspace (behind a prompt when its session ended), and the status bar.
import { StatusBar } from '../connection/StatusBar';
import { LoginScreen } from '../login/LoginScreen';
import { SignInAgain } from '../login/SignInAgain';
import { DesktopNotices } from '../desktop/DesktopNotices';
import { AppHeader } from './AppHeader';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { Workspace } from './Workspace';
import { screenOf } from './screen';

export function App() {
  const boot = useAppStore((s) => s.boot);
  const session = useAppStore((s) => s.session);
  const connectionStatus = useAppStore((s) => s.connection?.status ?? null);
  const bootError = useAppStore((s) => s.bootError);
  const start = useAppStore((s) => s.start);
  const screen = screenOf(boot, session, connectionStatus);

  let body;
  if (screen.kind === 'starting') {
    body = <main className="app-message" aria-label={strings.workspace} aria-busy="true" />;
  } else if (screen.kind === 'unavailable') {
    body = (
      <main className="app-message" aria-label={strings.workspace}>
        <p>{bootError}</p>
        <button type="button" onClick={() => void start()}>
          {strings.connection.tryAgain}
        </button>
      </main>
    );
  } else if (screen.kind === 'sign_in_again') {
    body = (
      <>
        <Workspace />
        <SignInAgain relayUrl={screen.relayUrl} />
      </>
    );
  } else if (screen.kind === 'login') {
    body = <LoginScreen credentialsNeeded={screen.credentialsNeeded} />;
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
