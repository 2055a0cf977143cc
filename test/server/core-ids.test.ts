/** The one id rule (server/core/ids.ts) and the shared upstream error root. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalUuid, isUuid, sameId } from '../../server/core/ids.ts';
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
