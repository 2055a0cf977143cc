/**
 * Many Server-Sent Event streams from the bench process: each on its own socket and its own
 * loopback source address (127.1.x.y), so a per-address limit on the server does not cap what a
 * benchmark can hold. Each stream records when each `status` event arrived.
 */
import { request, type ClientRequest } from 'node:http';

export interface StatusStream {
  /** performance.now() of each `status` event, in order. */
  arrivals: number[];
  /** Resolves once `count` status events have arrived. */
  received(count: number): Promise<void>;
  close(): void;
}

/** A distinct loopback address for the i-th stream (Linux routes all of 127/8 to lo). */
export function sourceAddress(i: number): string {
  return `127.1.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`;
}

function openStream(url: string, index: number, timeoutMs: number): Promise<StatusStream> {
  return new Promise((resolve, reject) => {
    const arrivals: number[] = [];
    const waiters: Array<{ count: number; done: () => void }> = [];
    let buffer = '';
    let req: ClientRequest;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`stream ${index}: no first event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stream: StatusStream = {
      arrivals,
      received: (count) =>
        new Promise<void>((done) => {
          if (arrivals.length >= count) done();
          else waiters.push({ count, done });
        }),
      close: () => req.destroy(),
    };
    req = request(url, { agent: false, localAddress: sourceAddress(index), headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        clearTimeout(timer);
        response.resume();
        reject(new Error(`stream ${index}: ${url} answered ${response.statusCode}`));
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!/^event: status$/m.test(frame)) continue; // comments (keep-alive) and other events
          arrivals.push(performance.now());
          if (arrivals.length === 1) {
            clearTimeout(timer);
            resolve(stream);
          }
          for (const waiter of waiters.filter((w) => arrivals.length >= w.count)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.done();
          }
        }
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** Opens `count` streams, `batch` at a time, each resolved once its first status event arrived. */
export async function openStreams(url: string, count: number, { batch = 200, timeoutMs = 30_000 } = {}): Promise<StatusStream[]> {
  const streams: StatusStream[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const opened = await Promise.allSettled(Array.from({ length: size }, (_, k) => openStream(url, start + k, timeoutMs)));
    for (const result of opened) if (result.status === 'fulfilled') streams.push(result.value);
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed) {
      closeStreams(streams);
      throw failed.reason;
    }
  }
  return streams;
}

export function closeStreams(streams: StatusStream[]): void {
  for (const stream of streams) stream.close();
}
