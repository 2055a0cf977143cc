/**
 * One order's whole story in time order, for the admin page: status changes and the checks that
 * changed nothing (from order_events), MixPay callbacks and reconciliation checks with their
 * verdict, mismatches with the field that did not match, settlement, operator actions, and every
 * notification attempt with its HTTP status and latency. Pure: the rows go in, the entries come out.
 */
import type { OrderStatus } from '../store/schema.ts';

export interface HistoryRow {
  at_t: number;
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string;
  detail: unknown;
}

export interface AttemptRow {
  event_id: string;
  event_status: OrderStatus;
  attempt: number;
  trigger: string;
  at_t: number;
  duration_ms: number;
  http_status: number | null;
  outcome: string;
  detail: string | null;
}

export type TimelineEntry =
  | { kind: 'created'; at_t: number; to: OrderStatus }
  | { kind: 'status'; at_t: number; from: OrderStatus | null; to: OrderStatus; source: string; verdict: string | null; reason: string; detail: unknown }
  | { kind: 'check'; at_t: number; status: OrderStatus; source: string; verdict: string | null; mismatch_field: string | null; reason: string; detail: unknown }
  | { kind: 'notification'; at_t: number; event_id: string; event_status: OrderStatus; attempt: number; trigger: string; http_status: number | null; duration_ms: number; outcome: string; detail: string | null };

/**
 * Reads a history reason: `callback:paid`, `reconcile:pending:late`, `admin:cancel`,
 * `mismatch:payeeId` (the trigger then sits in the detail), `settle`, `link_not_created`.
 */
export function readReason(reason: string, detail: unknown): { source: string; verdict: string | null; mismatchField: string | null } {
  const [head, second] = reason.split(':');
  if (head === 'mismatch') {
    const trigger = detail && typeof detail === 'object' && typeof (detail as { trigger?: unknown }).trigger === 'string' ? (detail as { trigger: string }).trigger : 'check';
    return { source: trigger, verdict: 'mismatch', mismatchField: second ?? null };
  }
  if (head === 'callback' || head === 'reconcile' || head === 'income') return { source: head, verdict: second ?? null, mismatchField: null };
  return { source: head ?? reason, verdict: null, mismatchField: null };
}

export function buildTimeline(createdAt: number, history: HistoryRow[], attempts: AttemptRow[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ kind: 'created', at_t: createdAt, to: 'NEW' }];
  for (const row of history) {
    const { source, verdict, mismatchField } = readReason(row.reason, row.detail);
    if (row.from !== row.to) entries.push({ kind: 'status', at_t: row.at_t, from: row.from, to: row.to, source, verdict, reason: row.reason, detail: row.detail });
    else entries.push({ kind: 'check', at_t: row.at_t, status: row.to, source, verdict, mismatch_field: mismatchField, reason: row.reason, detail: row.detail });
  }
  for (const a of attempts) {
    entries.push({ kind: 'notification', at_t: a.at_t, event_id: a.event_id, event_status: a.event_status, attempt: a.attempt, trigger: a.trigger, http_status: a.http_status, duration_ms: a.duration_ms, outcome: a.outcome, detail: a.detail });
  }
  // Stable: entries of the same millisecond keep history-then-attempts order.
  const sorted = entries.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.at_t - b.entry.at_t || a.index - b.index).map(({ entry }) => entry);
  return chainSameInstant(sorted);
}

/**
 * History rows carry a millisecond and an id. Ids are time-ordered now (core/ids.ts
 * timeOrderedUuid), so one process's changes in one millisecond come back in the order made; rows
 * written before that had random ids, and two processes' rows in one millisecond have no order
 * between them. So within one millisecond, status changes are put in the order where each starts
 * where the last ended (PAID → REFUND_PENDING → REFUNDED by one action).
 */
export function chainSameInstant(entries: TimelineEntry[]): TimelineEntry[] {
  const out = [...entries];
  for (let start = 0; start < out.length; ) {
    let end = start;
    while (end + 1 < out.length && out[end + 1]!.at_t === out[start]!.at_t) end++;
    const group = out.slice(start, end + 1);
    const changes = group.filter((e): e is Extract<TimelineEntry, { kind: 'status' }> => e.kind === 'status');
    if (changes.length > 1) {
      const ordered: typeof changes = [];
      let next = changes.find((c) => !changes.some((o) => o !== c && o.to === c.from)) ?? changes[0]!;
      while (next) {
        ordered.push(next);
        const last: typeof next = next;
        next = changes.find((c) => !ordered.includes(c) && c.from === last.to) ?? changes.find((c) => !ordered.includes(c))!;
      }
      let k = 0;
      for (let i = start; i <= end; i++) if (out[i]!.kind === 'status') out[i] = ordered[k++]!;
    }
    start = end + 1;
  }
  return out;
}
