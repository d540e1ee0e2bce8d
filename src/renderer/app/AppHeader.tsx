// The top bar: product name, who is signed in, and the settings.
import { useState } from 'react';
import { SettingsDialog } from '../settings/SettingsDialog';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

export function AppHeader() {
  const agentName = useAppStore((s) => (s.session?.signedIn === true ? (s.session.agent?.name ?? null) : null));
  const [settingsOpen, setSettingsOpen] = useState(false);
  return (
    <header className="app-header">
      <h1>{strings.productName}</h1>
      <span className="app-header-spacer" />
      {agentName !== null && <span className="app-header-agent">{strings.header.signedInAs(agentName)}</span>}
      <button type="button" className="button-quiet" onClick={() => setSettingsOpen(true)} aria-haspopup="dialog">
        {strings.header.settings}
      </button>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
    </header>
  );
}
