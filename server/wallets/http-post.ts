/**
 * A wallet's HTTP call on node:http(s) with one keep-alive agent per scheme. Node's global fetch
 * builds a Request, a Response and web streams around every call; for create_order with an
 * instant Binance Pay that was about 0.5 ms of CPU per request, more than the rest of the request
 * on SQLite (issue 12 §4, `bench/broker-create-order.ts --wallet http`). No redirects are
 * followed: a wallet API that answers 3xx is answered as it is, by its status.
 */
import http from 'node:http';
import https from 'node:https';

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export interface PostInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** HTTP's whitespace around a header value, which `Headers` strips. */
const EDGE_SPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * `headers` as `Object.fromEntries(new Headers(headers))` gives them (names in lower case, the same
 * name twice joined with ", ", values trimmed), without building a web `Headers` for a plain
 * record, which cost each wallet call more than signing it (issue 12 §4).
 */
export function plainHeaders(headers: NonNullable<RequestInit['headers']>): Record<string, string> {
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  const joined = new Map<string, string>();
  for (const [name, raw] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const value = String(raw).replace(EDGE_SPACE, '');
    const before = joined.get(key);
    joined.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  // In Headers' order, sorted by name, so the call goes out as it did through Headers.
  const plain: Record<string, string> = {};
  for (const key of [...joined.keys()].sort()) plain[key] = joined.get(key)!;
  return plain;
}

/** How a kept-alive connection that the other side had already closed fails a request sent on it. */
const CLOSED_UNDER_US = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Sends `init` to `url` and reads the whole answer as UTF-8; rejects after `timeoutMs` in all.
 * A kept-alive connection that the wallet closed (its idle timeout) just as this call took it
 * fails the call before anything was answered: the wallet never read the request, so it is sent
 * once more on a new connection, as Node's documentation advises (`request.reusedSocket`). Every
 * wallet call is safe to repeat besides (Binance's merchantTradeNo and refundRequestId, MugglePay's
 * merchant_order_id name the operation).
 */
export async function httpCall(url: string, init: PostInit, timeoutMs: number): Promise<{ status: number; text: string }> {
  const deadline = Date.now() + timeoutMs;
  try {
    return await sendOnce(url, init, timeoutMs);
  } catch (error) {
    const { code, reusedSocket } = error as { code?: string; reusedSocket?: boolean };
    if (!reusedSocket || !code || !CLOSED_UNDER_US.has(code) || Date.now() >= deadline) throw error;
    return sendOnce(url, init, deadline - Date.now());
  }
}

/** One request; its error says whether it went out on a kept-alive connection (`reusedSocket`). */
function sendOnce(url: string, init: PostInit, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return reject(new Error(`${target.protocol} is not http: or https:`));
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const send = target.protocol === 'https:' ? https.request : http.request;
    let answered = false;
    const request = send(target, { method: init.method, headers, agent: agents[target.protocol] }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', fail);
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      // Only a request that got no answer at all may be sent again.
      reject(answered ? error : Object.assign(error, { reusedSocket: request.reusedSocket }));
    }
    request.on('error', fail);
    request.end(init.body);
  });
}
