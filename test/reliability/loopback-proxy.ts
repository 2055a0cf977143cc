/**
 * A small HTTP proxy on loopback (node:http), as a load balancer in front of several server
 * processes: each request goes to the target `choose` names (round-robin by default), bodies and
 * answers streamed through. `seen` records every request it forwarded.
 */
import { createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardedRequest {
  method: string;
  url: string;
  target: number;
  body: string;
}

export interface LoopbackProxy {
  url: string;
  seen: ForwardedRequest[];
  close(): Promise<void>;
}

/** `choose` sees the request and its whole body (buffered) and answers a target index. */
export type ChooseTarget = (request: { method: string; url: string; body: string }, next: () => number) => number;

export async function startProxy(targets: () => string[], choose: ChooseTarget = (_, next) => next()): Promise<LoopbackProxy> {
  let turn = 0;
  const seen: ForwardedRequest[] = [];
  const server = createServer(async (incoming: IncomingMessage, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const list = targets();
    const method = incoming.method ?? 'GET';
    const url = incoming.url ?? '/';
    const target = choose({ method, url, body: body.toString() }, () => turn++ % list.length);
    seen.push({ method, url, target, body: body.toString() });
    const upstream = new URL(url, list[target]);
    const headers = { ...incoming.headers, host: upstream.host, 'content-length': String(body.length) };
    const proxied = forward(upstream, { method, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    proxied.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`proxy: ${error.message}`);
    });
    proxied.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
