/**
 * A Server-Sent Events answer that costs little per open stream (issue 12 §3). Under
 * @hono/node-server a stream writes its frames straight to Node's response: no web stream pair, no
 * encoder and no promise per write, so one change written to 1,000 streams is 1,000 socket
 * writes of the same bytes. Elsewhere (`app.request()` in tests) Hono's `streamSSE` carries them.
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/**
 * A frame encoded once for any number of streams: its bytes, and the same bytes as one HTTP/1.1
 * chunk (length, CRLF, bytes, CRLF), which a chunked stream writes to its socket in one call.
 */
export interface EncodedFrame {
  bytes: Uint8Array;
  chunk: Uint8Array;
}

const CRLF = Buffer.from('\r\n');

export function encodeFrame(text: string): EncodedFrame {
  const bytes = Buffer.from(text);
  return { bytes, chunk: Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, CRLF]) };
}

export interface EventSink {
  /** Writes one or more complete SSE frames (ignored once the stream ended). */
  write(frame: string | EncodedFrame): void;
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
      if (outgoing.writableEnded || outgoing.destroyed) return;
      if (typeof frame === 'string') outgoing.write(frame);
      // Node's own chunked write is four writes to a corked socket, uncorked on the next tick:
      // with one change going to a thousand streams, that is most of the fan-out's time.
      else if (ownsSocket(outgoing)) outgoing.socket!.write(frame.chunk);
      else outgoing.write(frame.bytes);
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

/**
 * The socket may take a chunk directly: the answer is chunked, its headers and earlier writes are
 * on the socket, and no other answer of the same connection waits before it (pipelining).
 */
function ownsSocket(outgoing: ServerResponse): boolean {
  const socket = outgoing.socket as (NonNullable<ServerResponse['socket']> & { _httpMessage?: unknown }) | null;
  return Boolean(outgoing.chunkedEncoding && outgoing.headersSent && socket?.writable && socket._httpMessage === outgoing && (outgoing as unknown as { outputSize: number }).outputSize === 0);
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
        writing = writing.then(async () => void (await stream.write(typeof frame === 'string' ? frame : frame.bytes))).catch(finish);
      },
      end: finish,
      done,
    };
    await run(sink);
    await writing;
  });
}
