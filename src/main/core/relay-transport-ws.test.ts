// Regression: bytes of a frame still arriving count as a sign of life, so a slow link is not declared dead mid-frame.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { PROTOCOL_SUBPROTOCOL } from '../../shared/protocol';
import type { TransportEnd } from './relay-connection-types';
import { resolveNetSettings } from './net-options';
import { openWsTransport } from './relay-transport-ws';

let server: WebSocketServer | null = null;
afterEach(async () => {
  if (server !== null) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = null;
});

/** An unmasked server→client text frame, written by hand so the test controls when each byte leaves. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

// Before the fix a console behind a slow link never caught up with a backlog: every large events frame took longer
// than deadAfterMs, the link was dropped, and the same frame was sent again on the next connection.
describe('the WebSocket transport', () => {
  it('reports life while a large frame is still arriving, before the frame itself', async () => {
    const frame = textFrame(JSON.stringify({ type: 'pong', pad: 'x'.repeat(64 * 1024) }));
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => PROTOCOL_SUBPROTOCOL });
    server.on('connection', (_ws, req: IncomingMessage) => {
      const socket = req.socket as Socket;
      // A slow link: the frame leaves in pieces, one per timer tick.
      let at = 0;
      const step = () => {
        if (at >= frame.length || socket.destroyed) return;
        socket.write(frame.subarray(at, at + 4_096));
        at += 4_096;
        setTimeout(step, 5);
      };
      step();
    });
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;

    const seen: string[] = [];
    let ended: TransportEnd | null = null;
    const gotFrame = new Promise<void>((resolve) => {
      const transport = openWsTransport(
        { relayUrl: `ws://127.0.0.1:${port}`, token: 'test-token', deviceId: 'dev-1', since: null, net: resolveNetSettings({}) },
        {
          frame: () => {
            seen.push('frame');
            void transport.close('abort').then(() => resolve());
          },
          alive: () => void (seen.at(-1) !== 'alive' && seen.push('alive')),
          ended: (end) => {
            ended = end;
            resolve();
          },
        },
      );
    });
    await gotFrame;
    expect(ended).toBeNull();
    expect(seen).toEqual(['alive', 'frame']);
  });
});
