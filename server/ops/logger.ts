/**
 * The server's logs, through pino: one JSON line per event with `time`, `level` and `msg`; request
 * lines add `req_id`, `method`, `path`, `status` and `duration_ms`; domain lines add `order_id`,
 * `event_id` and `event` where they name them. Headers that carry credentials are redacted by
 * pino, and no code puts a configured secret into a message (test/server/logs.test.ts greps a whole
 * run for every one). In development (`NODE_ENV=development`, what `npm start` sets) the same
 * records are printed as short readable lines instead.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { pino, type DestinationStream, type Level, type Logger, type LevelWithSilent } from 'pino';
import { warningChannel, type WarningMessage } from '../core/channels.ts';
import { answeredStatus, nodeResponse, requestHeader, responseHeader } from '../core/node-headers.ts';
import { STATUS_ROUTE } from '../merchant/status-route.ts';

export type { Logger };

/** Fields a domain line may carry beside its message. */
export type LogFields = Record<string, unknown>;

/** The `log` the halves and workers take: a line, and optionally fields for the JSON record. */
export type LineLog = (line: string, fields?: LogFields) => void;

/** Credentials that may travel in headers: `token` (merchant API), `x-admin-key`, bearer tokens, the admin session cookie. */
const SECRET_HEADERS = ['token', 'x-admin-key', 'authorization', 'cookie', 'set-cookie', 'x-csrf-token'];
export const REDACT_PATHS = SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `req.headers["${h}"]`, `res.headers["${h}"]`]);

export interface LoggerOptions {
  /** Readable lines instead of JSON; for development only. */
  pretty?: boolean;
  level?: LevelWithSilent;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? stdoutLines();
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'mixpay-checkout' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.pretty ? prettyStream(destination) : (destination as DestinationStream),
  );
}

/**
 * Standard output written asynchronously: lines that arrive while a write is under way go out
 * together in the next one. `process.stdout` on a pipe or a file writes each line with its own
 * blocking syscall, which under load cost the status route a fifth of its time (issue 12 §2).
 * Nothing waits for a buffer to fill, so a quiet server's lines appear at once; pino writes what is
 * still buffered synchronously when the process exits.
 */
function stdoutLines(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ORDER_IN_LINE = new RegExp(`\\border (${UUID})`);
const EVENT_IN_LINE = new RegExp(`\\bnotification (${UUID})`);

/**
 * Backs the `(line) => void` plumbing with a logger: the line is the message; the component (the
 * word before the first colon), the order and the notification event it names become fields, and
 * the level follows what the line reports (an unhandled error, a refusal or failure, else info).
 */
export function lineLogger(logger: Logger): LineLog {
  return (line, fields = {}) => {
    const text = line.replace(/^\[mixpay-checkout\] /, '');
    const record: LogFields = {};
    const component = text.match(/^([a-z]+(?: callback)?): /)?.[1];
    if (component) record.component = component;
    const order = text.match(ORDER_IN_LINE)?.[1];
    if (order) record.order_id = order.toLowerCase();
    const event = text.match(EVENT_IN_LINE)?.[1];
    if (event) record.event_id = event.toLowerCase();
    Object.assign(record, fields);
    logger[levelOf(text)](record, text);
  };
}

/**
 * Sends the warnings of parts that hold no logger (core/channels.ts `reportWarning`) to `logger`
 * until the returned function is called.
 */
export function logWarnings(logger: Logger): () => void {
  const onWarning = (message: unknown) => logger.warn((message as WarningMessage).line);
  subscribe(warningChannel.name, onWarning);
  return () => unsubscribe(warningChannel.name, onWarning);
}

function levelOf(text: string): Level {
  if (/unhandled error|\n\s+at /.test(text)) return 'error';
  if (/\b(refused|failed|failing|unavailable|lost|giving up|ignored|not applied|too many|backing off|mismatch)\b/i.test(text)) return 'warn';
  return 'info';
}

/** A client's own request id is kept when it is a plain token; anything else gets a fresh one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id a request goes by, sent back as `x-request-id`: the client's own when sane, else a fresh one. */
export function requestIdFor(given: string | undefined): string {
  return given && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Routes whose successful answers are routine, logged at `debug`: the element polls an order's
 * status every few seconds while it waits, so at `info` these lines would drown the rest (and a
 * line costs the hot route a tenth of its time, issue 12 §2). Their failures (404, 429, 5xx) stay
 * at `info`/`error` like any other request's.
 */
const ROUTINE = new Set([`GET ${STATUS_ROUTE}`]);

/** The level of a request's line, by its method, route pattern and status. */
export function requestLevel(method: string, route: string, status: number): Level {
  if (status >= 500) return 'error';
  return (status < 300 || status === 304) && ROUTINE.has(`${method} ${route}`) ? 'debug' : 'info';
}

/**
 * Logs every request once it is answered (`req_id`, `method`, `path`, `status`, `duration_ms`) and
 * sends the request id back as `x-request-id`. Only the path is logged: query strings may carry
 * what a caller should not have put there.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const id = requestIdFor(requestHeader(c, 'x-request-id'));
    // On Node's response it goes out with any answer; through Hono a handler's own Response may
    // lack it, and only then is it set again (on an answered context `c.header` rebuilds the answer).
    responseHeader(c, 'x-request-id', id);
    const started = performance.now();
    try {
      await next();
    } finally {
      if (!nodeResponse(c) && c.res.headers.get('x-request-id') !== id) c.header('x-request-id', id);
      const status = answeredStatus(c);
      const level = requestLevel(c.req.method, routePath(c), status);
      if (logger.isLevelEnabled(level)) {
        const record = { req_id: id, method: c.req.method, path: c.req.path, status, duration_ms: Math.round((performance.now() - started) * 10) / 10 };
        logger[level](record, `${c.req.method} ${c.req.path} ${status}`);
      }
    }
  };
}

const LEVEL_WORDS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const SKIP_IN_PRETTY = new Set(['time', 'level', 'msg', 'service', 'pid', 'hostname', 'method', 'path', 'status']);

/** A tiny development formatter: `12:00:01 INFO  GET /v1/checkout 201 (req_id=… duration_ms=3)`. */
function prettyStream(destination: DestinationStream | NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line) as Record<string, unknown>;
        } catch {
          destination.write(`${line}\n`);
          continue;
        }
        const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
        const extra = Object.entries(record)
          .filter(([key]) => !SKIP_IN_PRETTY.has(key))
          .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
          .join(' ');
        destination.write(`${time} ${LEVEL_WORDS[String(record.level)] ?? String(record.level)} ${String(record.msg ?? '')}${extra ? `  (${extra})` : ''}\n`);
      }
      done();
    },
  });
}
