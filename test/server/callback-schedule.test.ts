import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALLBACK_MAX_ATTEMPTS,
  isCallbackAcknowledged,
  nextCallbackAttempt,
} from '../../server/sandbox/mixpay/callback-schedule.ts';

describe('nextCallbackAttempt', () => {
  test('follows seed 001: 0s/15s/15s/30s/180s/1800s x4/3600s, ten attempts in all', () => {
    const delays: number[] = [];
    for (let made = 0; ; made++) {
      const delay = nextCallbackAttempt(made);
      if (delay === null) break;
      delays.push(delay / 1000);
    }
    assert.deepEqual(delays, [0, 15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600]);
    assert.equal(CALLBACK_MAX_ATTEMPTS, 10);
  });

  test('gives up after the tenth attempt, also far past it', () => {
    assert.equal(nextCallbackAttempt(9), 3_600_000);
    assert.equal(nextCallbackAttempt(10), null);
    assert.equal(nextCallbackAttempt(500), null);
  });

  test('scales every delay by timeScale', () => {
    assert.equal(nextCallbackAttempt(0, 0.001), 0);
    assert.equal(nextCallbackAttempt(1, 0.001), 15);
    assert.equal(nextCallbackAttempt(4, 0.001), 180);
    assert.equal(nextCallbackAttempt(9, 0.5), 1_800_000);
    assert.equal(nextCallbackAttempt(5, 0), 0);
  });

  test('refuses nonsense instead of guessing', () => {
    assert.throws(() => nextCallbackAttempt(-1), RangeError);
    assert.throws(() => nextCallbackAttempt(1.5), RangeError);
    assert.throws(() => nextCallbackAttempt(0, -1), RangeError);
    assert.throws(() => nextCallbackAttempt(0, Number.NaN), RangeError);
    assert.throws(() => nextCallbackAttempt(0, Number.POSITIVE_INFINITY), RangeError);
  });
});

describe('isCallbackAcknowledged', () => {
  test('only HTTP 200 with {"code":"SUCCESS"} stops the retries', () => {
    assert.equal(isCallbackAcknowledged(200, '{"code":"SUCCESS"}'), true);
    assert.equal(isCallbackAcknowledged(200, ' {"code": "SUCCESS", "extra": 1} '), true);
  });

  test('anything else is a failure', () => {
    assert.equal(isCallbackAcknowledged(200, '{"code":"success"}'), false);
    assert.equal(isCallbackAcknowledged(200, '{"code":"FAIL"}'), false);
    assert.equal(isCallbackAcknowledged(200, '{"status":"SUCCESS"}'), false);
    assert.equal(isCallbackAcknowledged(200, '"SUCCESS"'), false);
    assert.equal(isCallbackAcknowledged(200, 'null'), false);
    assert.equal(isCallbackAcknowledged(200, 'SUCCESS'), false);
    assert.equal(isCallbackAcknowledged(200, ''), false);
    assert.equal(isCallbackAcknowledged(201, '{"code":"SUCCESS"}'), false);
    assert.equal(isCallbackAcknowledged(204, ''), false);
    assert.equal(isCallbackAcknowledged(500, '{"code":"SUCCESS"}'), false);
  });
});
