/**
 * The hold's updates compiled once per shape (broker/reservations.ts `compiledHoldUpdates`): for
 * every shape and every owner, the same SQL and parameters as Kysely compiles for that request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from '../../server/store/schema.ts';
import { compiledHoldUpdates, holdUpdates, type HoldCaps, type HoldOwner } from '../../server/broker/reservations.ts';

// Compiling needs a dialect, never a connection.
const dialects = {
  sqlite: new Kysely<Database>({ dialect: new SqliteDialect({ database: {} as never }) }),
  postgres: new Kysely<Database>({ dialect: new PostgresDialect({ pool: {} as never }) }),
};

const capsList: HoldCaps[] = [
  { payee: { open_orders: null, reserved_percent: 100 }, source: { open_orders: null, reserved_percent: 100 } },
  { payee: { open_orders: 20, reserved_percent: 30 }, source: { open_orders: 50, reserved_percent: 60 } },
  { payee: { open_orders: null, reserved_percent: 25 }, source: { open_orders: 7, reserved_percent: 100 } },
];

const owners: HoldOwner[] = [
  { asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5', payee_id: 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a', source: '127.0.0.1' },
  { asset_id: 'c6d0c728-2624-429b-8e0d-d9d19b6592fa', payee_id: '11111111-2222-4333-8444-555555555555', source: '::1' },
  { asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5', payee_id: '11111111-2222-4333-8444-555555555555', source: null },
  { asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5', payee_id: 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a', source: '' },
];

for (const [name, db] of Object.entries(dialects)) {
  test(`compiled hold updates equal Kysely's compile for every shape and owner (${name})`, () => {
    let compared = 0;
    for (const split of [true, false]) {
      for (const caps of capsList) {
        // Twice over: the second pass answers every owner from the templates the first compiled.
        for (const pass of [1, 2]) {
          for (const [i, owner] of owners.entries()) {
            const held = String(10_000_000 * (i + pass));
            const expected = holdUpdates(owner, held, 1_700_000_000_000 + i, caps, split).map(({ query, rows }) => ({ ...query.compile(db), rows }));
            const actual = compiledHoldUpdates(db, owner, held, caps, split);
            assert.deepEqual(
              actual.map((a) => ({ sql: a.sql, parameters: [...a.parameters], rows: a.rows })),
              expected.map((e) => ({ sql: e.sql, parameters: [...e.parameters], rows: e.rows })),
              `${name}, split ${split}, caps ${JSON.stringify(caps)}, owner ${i}, pass ${pass}`,
            );
            compared += 1;
          }
        }
      }
    }
    assert.equal(compared, 2 * capsList.length * 2 * owners.length);
  });
}

test('unsplit, the hold is one update that must change every scope row of the owner', () => {
  const caps = capsList[1]!;
  assert.deepEqual(holdUpdates(owners[0]!, '1', 0, caps, false).map((u) => u.rows), [3]);
  assert.deepEqual(holdUpdates(owners[2]!, '1', 0, caps, false).map((u) => u.rows), [2]);
  assert.deepEqual(holdUpdates(owners[0]!, '1', 0, caps).map((u) => u.rows), [1, 2]);
});
