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

/** Sends `init` to `url` and reads the whole answer as UTF-8; rejects after `timeoutMs` in all. */
export function httpCall(url: string, init: PostInit, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return reject(new Error(`${target.protocol} is not http: or https:`));
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const send = target.protocol === 'https:' ? https.request : http.request;
    const request = send(target, { method: init.method, headers, agent: agents[target.protocol] }, (response) => {
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
      reject(error);
    }
    request.on('error', fail);
    request.end(init.body);
  });
}
