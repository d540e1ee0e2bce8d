// The status region that always tells the agent whether the console can reach its service.
import { useBridgeStore } from './bridge-store';
import { strings } from '../app/strings';

export function ConnectionStatus() {
  const available = useBridgeStore((s) => s.available);
  return (
    <p role="status" className={available ? 'status status-ok' : 'status status-warn'}>
      {available ? strings.connection.bridgeReady : strings.connection.bridgeMissing}
    </p>
  );
}
