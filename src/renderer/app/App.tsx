// The application shell: header and connection status. Feature views plug in here as they are built.
import { ConnectionStatus } from '../connection/ConnectionStatus';
import { strings } from './strings';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>{strings.productName}</h1>
        <ConnectionStatus />
      </header>
      <main className="app-main" aria-label={strings.workspace} />
    </div>
  );
}
