// Every scenario of the fault and bad-input suite, in the order the runner plays them.
import type { Scenario } from '../support/scenario';
import { badConfig } from './bad-config';
import { badIpc } from './bad-ipc';
import { badSocket } from './bad-socket';
import { badWebhooks } from './bad-webhooks';
import { clockJumps } from './clock-jumps';
import { consoleKill } from './console-kill';
import { disk } from './disk';
import { fuzz } from './fuzz';
import { graphFaults } from './graph-faults';
import { network } from './network';
import { relayKill } from './relay-kill';
import { sessions } from './sessions';
import { teams } from './teams';
import { webhookChaos } from './webhook-chaos';

export const SCENARIOS: readonly Scenario[] = [
  relayKill,
  consoleKill,
  network,
  graphFaults,
  webhookChaos,
  teams,
  sessions,
  disk,
  clockJumps,
  badSocket,
  badWebhooks,
  badIpc,
  badConfig,
  fuzz,
];
