/** Serves a Hono app on a free loopback port for tests that need real HTTP. */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `env` is @hono/node-server's `{ incoming, outgoing }`, for apps that write to Node's response themselves. */
export function listen(fetchHandler: (request: Request, env?: unknown) => Response | Promise<Response>, port = 0): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchHandler, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
