// Raw `ws` baseline, client side: asks for the frames and counts them, with no processing at all.
//   node --import tsx bench/procs/ws-sink.ts
import WebSocket from 'ws';
import { serve } from '../lib/child-side';

serve(
  {
    run: (args) =>
      new Promise((resolve, reject) => {
        const expected = Number(args['frames']);
        const ws = new WebSocket(String(args['url']), { perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
        let received = 0;
        let bytes = 0;
        let started = 0;
        ws.on('open', () => {
          started = performance.now();
          ws.send('go');
        });
        ws.on('message', (data: Buffer) => {
          received += 1;
          bytes += data.length;
          if (received === expected) {
            const ms = performance.now() - started;
            ws.terminate();
            resolve({ ms, bytes });
          }
        });
        ws.on('error', reject);
      }),
  },
  async () => {},
);
