/** The one Mixin snapshot poller both halves use (core/snapshot-poller.ts), without a store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIncoming, pollIncomingSnapshots, type SnapshotCursor } from '../../server/core/snapshot-poller.ts';
import type { MixinSnapshot } from '../../server/mixin/client.ts';

const snap = (i: number, amount = '1'): MixinSnapshot => ({ snapshot_id: `s${i}`, type: 'transfer', asset_id: 'a', amount, created_at: `t${String(i).padStart(3, '0')}` }) as MixinSnapshot;

function fakeMixin(all: MixinSnapshot[]) {
  const asked: Array<string | undefined> = [];
  return {
    asked,
    async snapshots(offset: string | undefined, limit: number) {
      asked.push(offset);
      // Inclusive offset, as Mixin may be: the snapshot at the cursor comes back.
      return all.filter((s) => offset === undefined || s.created_at >= offset).slice(0, limit);
    },
  };
}

function memoryCursor(): SnapshotCursor & { value?: string } {
  const cursor: SnapshotCursor & { value?: string } = {
    async read() {
      return cursor.value;
    },
    async write(value) {
      cursor.value = value;
    },
  };
  return cursor;
}

test('reads page after page until Mixin has no more, moving the cursor and counting what the half counts', async () => {
  const all = Array.from({ length: 7 }, (_, i) => snap(i, i === 3 ? '-1' : '1'));
  const mixin = fakeMixin(all);
  const cursor = memoryCursor();
  const seen = new Set<string>();
  const counted = await pollIncomingSnapshots({ mixin, cursor, pageSize: 3, maxPages: Infinity, handle: async (s) => !seen.has(s.snapshot_id) && !!seen.add(s.snapshot_id) });
  assert.equal(counted, 6, 'the outgoing snapshot is not handed over, a repeated one is not counted twice');
  assert.equal(cursor.value, 't006');
});

test('maxPages bounds a round; the next round goes on from the cursor', async () => {
  const mixin = fakeMixin(Array.from({ length: 5 }, (_, i) => snap(i)));
  const cursor = memoryCursor();
  const handled: string[] = [];
  await pollIncomingSnapshots({ mixin, cursor, pageSize: 2, maxPages: 1, handle: async (s) => !!handled.push(s.snapshot_id) });
  assert.deepEqual(handled, ['s0', 's1']);
  assert.equal(cursor.value, 't001');
  await pollIncomingSnapshots({ mixin, cursor, pageSize: 2, maxPages: 1, handle: async (s) => !!handled.push(s.snapshot_id) });
  assert.deepEqual(mixin.asked, [undefined, 't001']);
});

test('an amount that is not a number is not incoming', () => {
  assert.equal(isIncoming({ amount: '0.5' }), true);
  assert.equal(isIncoming({ amount: '-0.5' }), false);
  assert.equal(isIncoming({ amount: 'NaN' }), false);
});
