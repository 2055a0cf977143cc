/** Serves a Hono app (or Node's own listener) on a free loopback port for tests that need real HTTP. */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `env` is @hono/node-server's `{ incoming, outgoing }`, for apps that write to Node's response themselves. */
export function listen(fetchHandler: (request: Request, env?: unknown) => Response | Promise<Response>, port = 0): Promise<Listening> {
  // What node-server's `serve` builds, on 127.0.0.1.
  return listenNode(getRequestListener(fetchHandler, { hostname: '127.0.0.1' }), port);
}

/** Node's request listener on 127.0.0.1 (server/main.ts's `serverListener`, say). */
export function listenNode(listener: RequestListener, port = 0): Promise<Listening> {
  const server = createServer(listener);
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const info = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
