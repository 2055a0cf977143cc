/**
 * `Idempotency-Key` on `POST /v1/orders`, with Stripe's semantics: the first request with a key
 * runs and its answer is kept for 24 hours; the same key with the same body gets that answer
 * again (`Idempotent-Replayed: true`), however often and however concurrently it is sent; the
 * same key with another body is a 409. Answers a retry should not keep (5xx, 429) are not kept,
 * so the retry runs for real. The key's row is claimed with an insert on its primary key, so of
 * twenty concurrent requests exactly one runs and the others wait for its answer.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { MerchantEnv } from './deps.ts';
import { MerchantApiError } from './api-errors.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key's first answer is kept (Stripe: 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a request waits for a concurrent one with its key before answering 409. */
const WAIT_MS = 10_000;
/** A claim older than this whose request never finished (its process died) is given up. */
const ABANDONED_MS = 60_000;

/** Sorted keys, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}

export function requestFingerprint(method: string, path: string, body: string): string {
  let normalized = body;
  try {
    normalized = JSON.stringify(canonical(JSON.parse(body)));
  } catch {
    // Not JSON (a form post): compared as sent.
  }
  return createHash('sha256').update(`${method} ${path}\n${normalized}`).digest('hex');
}

const keptStatus = (status: number) => status < 500 && status !== 429;

/** Keys older than the TTL are swept at most this often per process. */
const SWEEP_EVERY_MS = 60_000;

export function idempotency(): MiddlewareHandler<MerchantEnv> {
  let sweptAt = 0;
  return async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new MerchantApiError(400, 'INVALID_PARAMETERS', 'Idempotency-Key: 1 to 255 printable ASCII characters, e.g. a UUID');
    }
    const deps = c.get('deps');
    const db = deps.store.db;
    const fingerprint = requestFingerprint(c.req.method, c.req.path, await c.req.text());
    if (deps.now() - sweptAt >= SWEEP_EVERY_MS) {
      sweptAt = deps.now();
      await db.deleteFrom('idempotency_keys').where('created_at', '<=', sweptAt - IDEMPOTENCY_TTL_MS).execute();
    }
    const deadline = deps.now() + WAIT_MS;
    for (;;) {
      const now = deps.now();
      await db.deleteFrom('idempotency_keys').where('key', '=', key).where('created_at', '<=', now - IDEMPOTENCY_TTL_MS).execute();
      await db.deleteFrom('idempotency_keys').where('key', '=', key).where('state', '=', 'running').where('updated_at', '<=', now - ABANDONED_MS).execute();
      const claimed = await db
        .insertInto('idempotency_keys')
        .values({ key, request_hash: fingerprint, state: 'running', status_code: null, response_body: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 1) break;
      const row = await db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
      if (!row) continue; // released meanwhile (its request failed): claim it ourselves
      if (row.request_hash !== fingerprint) {
        throw new MerchantApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used in the last 24 hours with another request; send a new key for a new request');
      }
      if (row.state === 'done' && row.status_code !== null) {
        return c.body(row.response_body ?? '', row.status_code as 200, { 'content-type': 'application/json; charset=UTF-8', [REPLAYED_HEADER]: 'true' });
      }
      if (deps.now() >= deadline) {
        throw new MerchantApiError(409, 'IDEMPOTENCY_KEY_IN_USE', 'a request with this Idempotency-Key is still being processed; retry in a few seconds');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let kept = false;
    try {
      await next();
      if (keptStatus(c.res.status)) {
        const body = await c.res.clone().text();
        await db.updateTable('idempotency_keys').set({ state: 'done', status_code: c.res.status, response_body: body, updated_at: deps.now() }).where('key', '=', key).execute();
        kept = true;
      }
    } finally {
      // Not kept (a 5xx, a 429, a crash in between): the next request with this key runs again.
      if (!kept) await db.deleteFrom('idempotency_keys').where('key', '=', key).where('state', '=', 'running').execute();
    }
  };
}
