/**
 * Notification endpoints for the admin page, failing ones first: per callback URL, how many events
 * are waiting, given up, refused (failed) and delivered, when the last attempt was and how it went.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export interface EndpointHealth {
  url: string;
  pending: number;
  gave_up: number;
  /** Refused by the merchant (a 4xx that says the request itself is wrong): not retried. */
  failed: number;
  delivered: number;
  /** Waiting events that have failed at least once. */
  failing: number;
  last_error: string | null;
  last_attempt_at_t: number | null;
}

export async function endpointHealth(db: Kysely<Database>): Promise<EndpointHealth[]> {
  const rows = await db
    .selectFrom('notifications')
    .select((eb) => [
      'url',
      'state',
      eb.fn.countAll<number>().as('count'),
      eb.fn.sum<number>(eb.case().when('attempts', '>', 0).then(1).else(0).end()).as('failing'),
      eb.fn.max<number>('updated_at').as('last_at'),
    ])
    .groupBy(['url', 'state'])
    .execute();
  const byUrl = new Map<string, EndpointHealth>();
  for (const row of rows) {
    const entry = byUrl.get(row.url) ?? { url: row.url, pending: 0, gave_up: 0, failed: 0, delivered: 0, failing: 0, last_error: null, last_attempt_at_t: null };
    const count = Number(row.count);
    if (row.state === 'pending') {
      entry.pending += count;
      entry.failing += Number(row.failing ?? 0);
    } else if (row.state === 'gave_up') entry.gave_up += count;
    else if (row.state === 'failed') entry.failed += count;
    else entry.delivered += count;
    entry.last_attempt_at_t = Math.max(entry.last_attempt_at_t ?? 0, Number(row.last_at ?? 0)) || null;
    byUrl.set(row.url, entry);
  }
  const failingUrls = [...byUrl.values()].filter((e) => e.failing + e.gave_up + e.failed > 0).map((e) => e.url);
  if (failingUrls.length) {
    const errors = await db
      .selectFrom('notifications')
      .select(['url', 'last_error', 'updated_at'])
      .where('url', 'in', failingUrls)
      .where('last_error', 'is not', null)
      .where('state', '!=', 'delivered')
      .orderBy('updated_at', 'desc')
      .limit(200)
      .execute();
    for (const row of errors) {
      const entry = byUrl.get(row.url)!;
      entry.last_error ??= row.last_error;
    }
  }
  return [...byUrl.values()].sort((a, b) => b.gave_up + b.failed + b.failing - (a.gave_up + a.failed + a.failing) || a.url.localeCompare(b.url));
}
