/** Calling the broker's Hono app in its suites: the answer in seed 000's envelope, and its checks. */
import assert from 'node:assert/strict';

export type BrokerAnswer = { status: number; body: { code: number; success: boolean; message: string; data: any } };

interface BrokerApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/**
 * Calls `path`; every answer must be JSON in the envelope. A 5xx is refused, except the
 * protocol's own 11002 ("payment unavailable") when `allowUnavailable` says the case expects it.
 */
export async function callBroker(app: BrokerApp, path: string, init?: RequestInit, { allowUnavailable = false } = {}): Promise<BrokerAnswer> {
  const response = await app.request(path, init);
  const text = await response.text();
  assert.match(response.headers.get('content-type') ?? '', /application\/json/, `${path} answered ${text.slice(0, 80)}`);
  const body = JSON.parse(text);
  assert.ok(response.status < 500 || (allowUnavailable && body.code === 11002), `${init?.method ?? 'GET'} ${path} answered HTTP ${response.status} ${text}`);
  return { status: response.status, body };
}

/** A JSON POST of `body`. */
export const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * A refusal in the envelope: `code`, `success: false`, empty `data`, and, when `field` is given, a
 * message naming it (`anchored`: the message starts "Parameter error: <field>").
 */
export function assertBrokerError(answer: BrokerAnswer, code: number, field?: string, { anchored = false } = {}) {
  assert.equal(answer.body.code, code, JSON.stringify(answer.body));
  assert.equal(answer.body.success, false);
  assert.deepEqual(answer.body.data, []);
  if (field) assert.match(answer.body.message, new RegExp(anchored ? `^Parameter error: ${field}\\b` : `\\b${field}\\b`), answer.body.message);
}
