// Raw `ws` baseline, server side: sends the relay's recorded frames as fast as the socket takes them; echoes pings.
//   node --import tsx bench/procs/ws-source.ts [--frames FILE]
import { WebSocketServer } from 'ws';
import { arg, emit, serve } from '../lib/child-side';
import { readFrames } from '../lib/frames';

const file = arg('frames');
const frames = file === undefined ? [] : readFrames(file);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const text = data.toString();
    if (text === 'go') for (const frame of frames) ws.send(frame);
    else ws.send(text); // the round-trip baseline: echo
  });
});
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
const address = wss.address();
serve({}, async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});
emit({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0, frames: frames.length });
