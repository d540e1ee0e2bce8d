// The relay's events frames rebuilt exactly as AgentSession streams them, for the baselines that replay "the same frames".
import { readFileSync, writeFileSync } from 'node:fs';
import type { RelayStore } from '../../src/relay/store/relay-store';

/** AgentSession reads at most this many events per frame. */
const EVENTS_PER_FRAME = 500;
const MAX_FRAME_BYTES = 256 * 1024;

export interface FrameFile {
  frames: number;
  events: number;
  messages: number;
}

/** Writes one frame per line (JSON never contains a raw newline). */
export async function exportFrames(store: RelayStore, file: string): Promise<FrameFile> {
  const frames: string[] = [];
  let after = 0;
  let events = 0;
  let messages = 0;
  for (;;) {
    const batch = await store.readEvents(after, EVENTS_PER_FRAME);
    if (batch.length === 0) break;
    let frame = '{"type":"events","events":[';
    let budget = MAX_FRAME_BYTES - 64;
    let count = 0;
    for (const e of batch) {
      const item = `{"seq":${e.seq},"event":${e.json}}`;
      if (count > 0 && item.length + 1 > budget) break;
      frame += (count > 0 ? ',' : '') + item;
      budget -= item.length + 1;
      count += 1;
      if (e.json.startsWith('{"kind":"message.created"')) messages += 1;
    }
    frames.push(`${frame}]}`);
    events += count;
    after = batch[count - 1]!.seq;
  }
  writeFileSync(file, frames.join('\n'));
  return { frames: frames.length, events, messages };
}

export function readFrames(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}
