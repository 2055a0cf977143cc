/** The one id rule (server/core/ids.ts) and the shared upstream error root. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalUuid, isUuid, sameId, timeOrderedUuid } from '../../server/core/ids.ts';
import { isRetryLater, UpstreamError } from '../../server/core/upstream-errors.ts';
import { MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from '../../server/mixpay/errors.ts';
import { MixPayBudgetError } from '../../server/mixpay/call-budget.ts';
import { MixinApiError, MixinUnavailableError } from '../../server/mixin/client.ts';
import { WalletApiError, WalletUnavailableError } from '../../server/wallets/types.ts';

const DASHED = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';

test('a UUID is the same id in either case, with all four dashes or none', () => {
  for (const spelling of [DASHED, DASHED.toUpperCase(), DASHED.replace(/-/g, ''), DASHED.replace(/-/g, '').toUpperCase()]) {
    assert.equal(canonicalUuid(spelling), DASHED, spelling);
    assert.ok(sameId(spelling, DASHED), spelling);
  }
});

test('any other spelling is not a UUID and matches only itself', () => {
  const partial = DASHED.replace('-', ''); // one dash gone, three left
  const moved = `${DASHED.replace(/-/g, '').slice(0, 7)}-${DASHED.replace(/-/g, '').slice(7)}`;
  for (const odd of [partial, moved, `${DASHED}-`, ` ${DASHED}`, `${DASHED}\u0000`, DASHED.slice(1), '']) {
    assert.equal(canonicalUuid(odd), null, JSON.stringify(odd));
    assert.equal(isUuid(odd), false, JSON.stringify(odd));
    assert.equal(sameId(odd, DASHED), false, JSON.stringify(odd));
  }
  assert.ok(sameId('multisig-abc', 'multisig-abc'), 'a non-UUID id matches itself exactly');
  assert.equal(sameId('multisig-abc', 'MULTISIG-ABC'), false, 'and nothing else');
  assert.equal(canonicalUuid(42), null);
});

test('every client error shares one root; unavailable and rate-limited are retried, rejected is not', () => {
  const retried = [new MixPayUnavailableError('down'), new MixPayRateLimitError(1429, 'slow down', 429), new MixPayBudgetError(1000), new MixinUnavailableError('down'), new WalletUnavailableError('binance', 'down')];
  const final = [new MixPayApiError(1017, 'no such payment', 400), new MixinApiError(20117, 'insufficient balance'), new WalletApiError('mugglepay', 'ORDER_NOT_FOUND', 'gone')];
  for (const error of [...retried, ...final]) assert.ok(error instanceof UpstreamError, error.name);
  for (const error of retried) assert.equal(isRetryLater(error), true, error.name);
  for (const error of final) assert.equal(isRetryLater(error), false, error.name);
  assert.equal(isRetryLater(new Error('plain')), false);
  assert.deepEqual([...retried, ...final].map((e) => e.upstream), ['mixpay', 'mixpay', 'mixpay', 'mixin', 'binance', 'mixpay', 'mixin', 'mugglepay']);
  assert.equal(new MixPayBudgetError(2500).retryAfterMs, 2500);
});

test('time-ordered ids: version 7 UUIDs that sort in the order they were made, within a millisecond and when the clock steps back', () => {
  const start = Date.UTC(2100, 0, 1); // after any clock this process has read
  // 10,000 in one millisecond (past the 4,096 of its counter), then a clock that steps back, then on.
  const clock = [...Array(10_000).fill(start), start - 5_000, start - 5_000, start + 1, start + 10_000];
  const ids = clock.map((now) => timeOrderedUuid(now));
  for (const id of ids) {
    assert.ok(isUuid(id), id);
    assert.equal(canonicalUuid(id), id, 'already in its stored spelling');
    assert.equal(id[14], '7', `version 7: ${id}`);
    assert.ok('89ab'.includes(id[19]!), `RFC 9562 variant: ${id}`);
  }
  assert.deepEqual([...ids].sort(), ids, 'string order is the order made');
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids[0]!.replace(/-/g, '').slice(0, 12), start.toString(16).padStart(12, '0'), 'the millisecond leads');
  assert.equal(ids.at(-1)!.replace(/-/g, '').slice(0, 12), (start + 10_000).toString(16).padStart(12, '0'), 'a later clock is taken as given');
});
