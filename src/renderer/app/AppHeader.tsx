// The top bar: product name, who is signed in (with their teams and role), and the settings.
import { useState } from 'react';
import { SettingsDialog } from '../settings/SettingsDialog';
import { teamsLabel } from '../ui/people';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

export function AppHeader() {
  const agent = useAppStore((s) => (s.session?.signedIn === true ? (s.session.agent ?? null) : null));
  const [settingsOpen, setSettingsOpen] = useState(false);
  return (
    <header className="app-header">
      <h1>{strings.productName}</h1>
      <span className="app-header-spacer" />
      {agent !== null && <span className="app-header-agent">{strings.team.signedInAs(agent.name, teamsLabel(agent), strings.team.roles[agent.role])}</span>}
      <button type="button" className="button-quiet" onClick={() => setSettingsOpen(true)} aria-haspopup="dialog">
        {strings.header.settings}
      </button>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
    </header>
  );
}
