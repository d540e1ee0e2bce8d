// The memory floor: a process started exactly like the console host (node + the tsx loader) that loads nothing else.
import { readFileSync } from 'node:fs';
import { emit, serve } from '../lib/child-side';

serve({ rssMb: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024 }, async () => {});
emit({ type: 'ready' });
