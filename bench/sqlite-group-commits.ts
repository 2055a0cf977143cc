/**
 * The SQLite cost of broker create_order's two group commits (the held-order insert, the move to
 * NEW) without HTTP: rounds of G orders (default 15, env G) written through the server's own
 * insertHeldOrder and transitionBrokerOrder on a fresh migrated database, after 15k warm-up orders.
 * Prints wall and CPU time per order. PRAGMAS="a=b;c=d" applies pragmas first, e.g.
 * PRAGMAS="wal_autocheckpoint=0" or "synchronous=NORMAL" (diagnostics, never production settings).
 * Not a test: nothing here asserts a time.
 *
 *   node --import tsx bench/sqlite-group-commits.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../server/store/db.ts';
import { migrateToLatest } from '../server/store/migrate.ts';
import { insertHeldOrder } from '../server/broker/held-order.ts';
import { transitionBrokerOrder } from '../server/broker/order-store.ts';
import { ensureScopeRows } from '../server/broker/reservations.ts';
import { sql } from 'kysely';

const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const dir = mkdtempSync(join(tmpdir(), 'bench-group-commits-'));
const store = openStore(`sqlite:${join(dir, 'b.db')}`);
await migrateToLatest(store.db);
for (const p of (process.env.PRAGMAS ?? '').split(';').filter(Boolean)) store.sqlite!.pragma(p);
await sql`insert into broker_reservations (scope, asset_id, reserved_units, open_orders, balance_units) values ('bot', ${USDT}, 0, 0, 100000000000000000)`.execute(store.db);
await sql`insert into broker_balances (asset_id, symbol, balance, synced_at) values (${USDT}, 'USDT', '1000000000', 0)`.execute(store.db);
const caps = { payee: { open_orders: null, reserved_percent: 100 }, source: { open_orders: null, reserved_percent: 100 } } as any;
const payees = Array.from({ length: 20 }, () => randomUUID());
for (const p of payees) await ensureScopeRows(store.db, { payee_id: p, asset_id: USDT, source: null } as any);
let n = 0;
function row() {
  const now = Date.now();
  n++;
  return { trace_id: randomUUID(), payee_id: payees[n % 20], wallet: 'binance', asset_id: USDT, amount: '0.1', memo: 'bench', expired_at: Math.floor(now / 1000) + 600, return_url: 'https://mixpay.me/done', opponent_id: randomUUID(),
    fee_amount: '0.01', pay_amount: '0.11', currency: 'USDT', status: 'CREATING', upstream_id: null, checkout_url: null, deep_link: null, universal_url: null, paid_at: null, settled_at: null, settlement_snapshot_id: null,
    refund_code: null, refund_reason: null, refunded_at: null, created_at: now, updated_at: now, held_units: '10000000', hold_expires_at: Math.floor(now / 1000) + 600, source: null } as any;
}
const G = Number(process.env.G ?? 15);
async function round() {
  const rows = Array.from({ length: G }, row);
  await Promise.all(rows.map((r) => insertHeldOrder(store, r, caps)));
  await Promise.all(rows.map((r) => transitionBrokerOrder(store.db, r.trace_id, 'NEW', 'create:opened', { upstream_id: `instant-${n}-${r.trace_id.slice(0, 6)}`, checkout_url: `https://pay.example/checkout/${r.trace_id}`, deep_link: `bnc://app.binance.com/payment/${r.trace_id}`, universal_url: `https://app.binance.com/payment/${r.trace_id}` }, Date.now(), undefined, { ...r, version: 0 })));
}
for (let i = 0; i < 1000; i++) await round(); // warm: 15k orders
const t0 = performance.now(); const c0 = process.cpuUsage();
const ROUNDS = 1500;
for (let i = 0; i < ROUNDS; i++) await round();
const ms = performance.now() - t0; const c = process.cpuUsage(c0);
console.log(`${process.env.LABEL ?? ''} G=${G}: ${(ms / ROUNDS / G * 1000).toFixed(1)} µs wall/order, cpu ${((c.user + c.system) / ROUNDS / G).toFixed(1)} µs/order (sys ${(c.system / ROUNDS / G).toFixed(1)})`);
await store.close();
rmSync(dir, { recursive: true, force: true });
