/**
 * A Server-Sent Events answer that costs little per open stream (issue 12 §3). Under
 * @hono/node-server a stream writes its frames straight to Node's response: no web stream pair, no
 * encoder and no promise per write, so one change written to 1,000 streams is 1,000 socket
 * writes of the same bytes. Elsewhere (`app.request()` in tests) Hono's `streamSSE` carries them.
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

export interface EventSink {
  /** Writes one or more complete SSE frames (ignored once the stream ended). */
  write(frame: string | Uint8Array): void;
  /** Ends the stream. */
  end(): void;
  /** Resolves once the stream ended, by `end()` or because the client went away. */
  readonly done: Promise<void>;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', connection: 'keep-alive' };

/** Answers with an event stream that `run` feeds; the stream ends when `run` returns. */
export function eventStream(c: Context, run: (sink: EventSink) => Promise<void>, onError: (error: Error) => void): Response | Promise<Response> {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing) return viaHono(c, run);
  // Headers set by the middleware (CORS) go out with ours.
  outgoing.writeHead(200, { ...Object.fromEntries(c.res.headers), ...SSE_HEADERS });
  outgoing.flushHeaders();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  outgoing.once('close', finish);
  const sink: EventSink = {
    write: (frame) => {
      if (!outgoing.writableEnded && !outgoing.destroyed) outgoing.write(frame);
    },
    end: () => {
      if (!outgoing.writableEnded) outgoing.end();
      finish();
    },
    done,
  };
  void run(sink).catch(onError).finally(sink.end);
  // Tells @hono/node-server that the answer was written already.
  return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
}

function viaHono(c: Context, run: (sink: EventSink) => Promise<void>): Response {
  for (const [name, value] of Object.entries(SSE_HEADERS)) if (name !== 'content-type' && name !== 'connection') c.header(name, value);
  return streamSSE(c, async (stream) => {
    let writing = Promise.resolve();
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    stream.onAbort(finish);
    const sink: EventSink = {
      write: (frame) => {
        writing = writing.then(async () => void (await stream.write(frame))).catch(finish);
      },
      end: finish,
      done,
    };
    await run(sink);
    await writing;
  });
}
