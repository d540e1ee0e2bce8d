// Shown when the window has no window.branchline at all: nothing can work, so say so plainly.
import { strings } from '../ui/strings';

export function NoService() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>{strings.productName}</h1>
      </header>
      <main className="app-message" aria-label={strings.workspace}>
        <p>{strings.connection.bridgeMissingHelp}</p>
      </main>
      <footer className="status-bar">
        <p role="status" className="status status-error">
          {strings.connection.bridgeMissing}
        </p>
      </footer>
    </div>
  );
}
