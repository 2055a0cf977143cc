/** Per-address limits (server/core/address-limits.ts): fixed windows that drop whole, open-stream slots. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenCounter, WindowCounter } from '../../server/core/address-limits.ts';

test('a window allows the limit per address, refuses the rest with the seconds left, and starts fresh', () => {
  let now = 1_000_000;
  const counter = new WindowCounter(3, 60_000, () => now);
  assert.deepEqual([1, 2, 3, 4].map(() => counter.hit('a').allowed), [true, true, true, false]);
  assert.equal(counter.hit('b').allowed, true, 'another address has its own count');
  now += 45_000;
  assert.deepEqual(counter.hit('a'), { allowed: false, retryAfterSeconds: 15 });
  now += 15_000;
  assert.equal(counter.hit('a').allowed, true, 'a new window');
  assert.equal(counter.size, 1, 'the old window was dropped whole');
});

test('windows stay aligned after a long quiet spell', () => {
  let now = 0;
  const counter = new WindowCounter(1, 60_000, () => now);
  counter.hit('a');
  now = 10 * 60_000 + 30_000;
  assert.deepEqual(counter.hit('a'), { allowed: true, retryAfterSeconds: 30 });
});

test('20,000 addresses keep the per-request cost flat: no request walks the map', () => {
  let now = 0;
  const counter = new WindowCounter(5, 60_000, () => now);
  for (let i = 0; i < 20_000; i++) counter.hit(`198.51.${i >> 8}.${i & 255}`);
  // A map walk would have dropped or visited entries; the count grows with the callers and the
  // next window starts with none, in a single step.
  assert.equal(counter.size, 20_000);
  now = 60_000;
  counter.hit('x');
  assert.equal(counter.size, 1);
});

test('open slots per address: the limit, release once, 0 means none', () => {
  const streams = new OpenCounter(2);
  const first = streams.acquire('a')!;
  const second = streams.acquire('a')!;
  assert.equal(streams.acquire('a'), null);
  assert.ok(streams.acquire('b'), 'another address is not affected');
  first();
  first();
  assert.equal(streams.heldBy('a'), 1, 'a second release of the same slot frees nothing more');
  assert.ok(streams.acquire('a'));
  second();
  assert.equal(streams.total, 2);
  const unlimited = new OpenCounter(0);
  for (let i = 0; i < 100; i++) assert.ok(unlimited.acquire('a'));
});

test('TRUST_PROXY on and a request without X-Forwarded-For: one warning naming the setting', async () => {
  const { Hono } = await import('hono');
  const { callerOf, resetProxyWarning } = await import('../../server/core/caller.ts');
  const app = new Hono().get('/', (c) => c.text(callerOf(c, true)));
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (line: string) => warnings.push(line);
  try {
    resetProxyWarning();
    assert.equal(await (await app.request('/', { headers: { 'x-forwarded-for': '203.0.113.9' } })).text(), '203.0.113.9');
    assert.equal(warnings.length, 0, 'a proxied request is what TRUST_PROXY expects');
    await app.request('/');
    await app.request('/');
    assert.equal(warnings.length, 1, 'said once');
    assert.match(warnings[0]!, /TRUST_PROXY is on.*X-Forwarded-For/);
  } finally {
    console.warn = original;
  }
});
