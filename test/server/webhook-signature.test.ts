/**
 * The notification signature, checked beyond our own code: against the `openssl dgst` command the
 * docs give merchants, against Python's hmac module, and through the package export
 * `mixpay-checkout/server` that merchants import.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeSignature,
  parseSignatureHeader,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookFailure,
} from '../../server/core/signature.ts';

const SECRET = 'whsec-test-0123456789abcdef';
const OLD_SECRET = 'whsec-old-fedcba9876543210';
const body = JSON.stringify({ order_id: '3f1c…', status: 'PAID', price_amount: '19.99', note: 'ünïcødé "quotes" \\ and $dollars' });
const t = 1_763_779_200;

function fails(reason: WebhookFailure, run: () => unknown) {
  assert.throws(run, (error: unknown) => error instanceof WebhookVerificationError && error.reason === reason);
}

/** The exact command docs/merchant.md gives: the HMAC of "<t>.<raw body>" with the secret. */
function opensslSignature(timestamp: number, raw: string, secret: string): string {
  const out = execFileSync('sh', ['-c', 'printf "%s.%s" "$T" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r'], {
    env: { ...process.env, T: String(timestamp), BODY: raw, SECRET: secret },
    encoding: 'utf8',
  });
  return out.trim().split(/\s+/)[0]!;
}

/** Builds the `mixpay-checkout/server` entry when it is missing or older than its sources (the test line builds after the server suites). */
function ensureServerEntry() {
  const built = existsSync('dist/server/index.js') ? statSync('dist/server/index.js').mtimeMs : 0;
  const sources = ['server/index.ts', 'server/core/signature.ts', 'server/merchant/notification-types.ts'];
  if (sources.some((file) => statSync(file).mtimeMs > built)) execFileSync('npx', ['tsc', '-p', 'tsconfig.server-build.json'], { stdio: 'inherit' });
}

describe('webhook signatures', () => {
  test('openssl computes the same v1 signature as the server', () => {
    const header = signWebhook(body, SECRET, t);
    const v1 = parseSignatureHeader(header)!.signatures[0];
    assert.equal(opensslSignature(t, body, SECRET), v1);
    // And a header built from openssl's output verifies.
    const fromOpenssl = `t=${t},v1=${opensslSignature(t, body, SECRET)}`;
    assert.deepEqual(verifyWebhook(body, fromOpenssl, SECRET, { nowSeconds: t + 10 }), JSON.parse(body));
  });

  test('the openssl script in docs/merchant.md verifies our signatures and refuses bad ones', () => {
    const doc = readFileSync('docs/merchant.md', 'utf8');
    const script = doc.match(/```sh\n(# verify-webhook\.sh[\s\S]*?)```/)?.[1];
    assert.ok(script, 'docs/merchant.md has the verify-webhook.sh block');
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-openssl-'));
    const run = (raw: string, header: string, secret: string) => {
      writeFileSync(join(dir, 'body.json'), raw);
      return spawnSync('sh', ['-c', script], { cwd: dir, env: { ...process.env, HEADER: header, WEBHOOK_SECRET: secret }, encoding: 'utf8' });
    };
    try {
      const now = Math.floor(Date.now() / 1000);
      const ok = run(body, signWebhook(body, SECRET, now), SECRET);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), 'signature ok');
      const rotated = signWebhook(body, [SECRET, OLD_SECRET], now);
      assert.equal(run(body, rotated, OLD_SECRET).stdout.trim(), 'signature ok', 'the old secret still verifies while rotating');
      const tampered = run(body.replace('19.99', '0.01'), signWebhook(body, SECRET, now), SECRET);
      assert.equal(tampered.status, 1);
      assert.match(tampered.stdout, /MISMATCH/);
      assert.equal(run(body, signWebhook(body, SECRET, now), 'another-secret-value').status, 1);
      const old = run(body, signWebhook(body, SECRET, now - 3600), SECRET);
      assert.equal(old.status, 1);
      assert.match(old.stdout, /too old/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the Node example in docs/merchant.md accepts a signed notification and refuses a forged one', async () => {
    const doc = readFileSync('docs/merchant.md', 'utf8');
    const example = doc.match(/```js\n(import \{ createServer \}[\s\S]*?)```/)?.[1];
    assert.ok(example && example.includes('.listen(3000)'), 'docs/merchant.md has the Node example');
    ensureServerEntry();
    // Inside the package (dist/ is not committed), so `mixpay-checkout/server` resolves to this package.
    const file = join('dist', `.docs-example-${process.pid}.mjs`);
    writeFileSync(file, example.replace('.listen(3000)', '.listen(0, () => console.log(`port ${server.address().port}`))').replace('createServer(', 'const server = createServer('));
    const child = spawn('node', [file], { env: { ...process.env, WEBHOOK_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      const deadline = Date.now() + 5000;
      while (!/port \d+/.test(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const port = output.match(/port (\d+)/)?.[1];
      assert.ok(port, output);
      const paid = JSON.stringify({ status: 'PAID', merchant_order_id: '4321', pay_amount: '9.99', pay_currency: 'USDT' });
      const now = Math.floor(Date.now() / 1000);
      const send = (raw: string, header: string) =>
        fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: raw, headers: { 'Mixpay-Checkout-Signature': header, 'Mixpay-Checkout-Event-Id': 'evt-1' } });
      assert.equal((await send(paid, signWebhook(paid, SECRET, now))).status, 200);
      assert.equal((await send(paid, signWebhook(paid, 'forged-secret-000000', now))).status, 400);
      assert.equal((await send(paid.replace('9.99', '0.01'), signWebhook(paid, SECRET, now))).status, 400);
      assert.equal((await send(paid, signWebhook(paid, SECRET, now - 900))).status, 400);
      assert.match(output, /order 4321 paid 9.99 USDT/);
    } finally {
      child.kill();
      rmSync(file, { force: true });
    }
  });

  test('Python\'s hmac module agrees as well', () => {
    const script = 'import hmac,hashlib,sys,os; print(hmac.new(os.environ["S"].encode(), (os.environ["T"]+"."+os.environ["B"]).encode(), hashlib.sha256).hexdigest())';
    const out = execFileSync('python3', ['-c', script], { env: { ...process.env, S: SECRET, T: String(t), B: body }, encoding: 'utf8' }).trim();
    assert.equal(out, computeSignature(body, t, SECRET));
  });

  test('the header has t= and one v1= per secret while rotating', () => {
    const header = signWebhook(body, [SECRET, OLD_SECRET], t);
    assert.match(header, /^t=1763779200,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    assert.equal(signWebhook(body, `${SECRET}, ${OLD_SECRET}`, t), header, 'a comma-separated list is the same as an array');
    // A merchant still on the old secret, and one already on the new one, both verify.
    for (const secret of [SECRET, OLD_SECRET, [OLD_SECRET, 'another-secret-value']]) {
      assert.ok(verifyWebhook(body, header, secret, { nowSeconds: t }));
    }
  });

  test('bytes and text verify the same', () => {
    const header = signWebhook(body, SECRET, t);
    assert.ok(verifyWebhook(Buffer.from(body, 'utf8'), header, SECRET, { nowSeconds: t }));
    assert.ok(verifyWebhook(new TextEncoder().encode(body), header, SECRET, { nowSeconds: t }));
  });

  test('refuses what it should, saying why', () => {
    const header = signWebhook(body, SECRET, t);
    fails('missing_header', () => verifyWebhook(body, undefined, SECRET, { nowSeconds: t }));
    fails('missing_header', () => verifyWebhook(body, '', SECRET, { nowSeconds: t }));
    for (const bad of ['v1=abc', `t=${t}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${t},v1=xyz`, 'garbage', `t=${t},v0=${'a'.repeat(64)}`]) {
      fails('malformed_header', () => verifyWebhook(body, bad, SECRET, { nowSeconds: t }));
    }
    fails('no_matching_signature', () => verifyWebhook(body, header, 'another-secret-value', { nowSeconds: t }));
    fails('no_matching_signature', () => verifyWebhook(body + ' ', header, SECRET, { nowSeconds: t }));
    fails('no_matching_signature', () => verifyWebhook(JSON.stringify(JSON.parse(body), null, 1), header, SECRET, { nowSeconds: t }));
    // The timestamp is signed: moving it breaks the signature.
    fails('no_matching_signature', () => verifyWebhook(body, header.replace(`t=${t}`, `t=${t + 1}`), SECRET, { nowSeconds: t }));
    fails('timestamp_out_of_tolerance', () => verifyWebhook(body, header, SECRET, { nowSeconds: t + 301 }));
    fails('timestamp_out_of_tolerance', () => verifyWebhook(body, header, SECRET, { nowSeconds: t - 301 }));
    assert.ok(verifyWebhook(body, header, SECRET, { nowSeconds: t + 300 }));
    assert.ok(verifyWebhook(body, header, SECRET, { nowSeconds: t + 3000, toleranceSeconds: 3600 }));
    fails('no_secret', () => verifyWebhook(body, header, '', { nowSeconds: t }));
    // Uppercase hex and unknown future schemes are tolerated.
    assert.ok(verifyWebhook(body, `${header.toUpperCase().replace('T=', 't=').replaceAll('V1=', 'v1=')},v2=whatever`, SECRET, { nowSeconds: t }));
  });

  test('odd inputs get a WebhookVerificationError (or a RangeError for a bad tolerance), never a TypeError', () => {
    const header = signWebhook(body, SECRET, t);
    const at = { nowSeconds: t };
    // A parsed body (express.json() ran first) is the usual mistake.
    for (const wrong of [JSON.parse(body), undefined, null, 42, [body]]) {
      fails('invalid_body', () => verifyWebhook(wrong as never, header, SECRET, at));
    }
    for (const wrong of [[header], 42, { t }]) fails('malformed_header', () => verifyWebhook(body, wrong as never, SECRET, at));
    for (const wrong of [undefined, null, 42, [], [''], { secret: SECRET }]) fails('no_secret', () => verifyWebhook(body, header, wrong as never, at));
    // Signed but not JSON (never sent by the server): still a verification error, not a SyntaxError.
    fails('invalid_body', () => verifyWebhook('', signWebhook('', SECRET, t), SECRET, at));
    fails('invalid_body', () => verifyWebhook('not json', signWebhook('not json', SECRET, t), SECRET, at));
    // Other byte views of the same body verify.
    const bytes = new TextEncoder().encode(`xx${body}`);
    assert.ok(verifyWebhook(bytes.slice(2).buffer, header, SECRET, at));
    assert.ok(verifyWebhook(new DataView(bytes.buffer, 2), header, SECRET, at));
    assert.ok(verifyWebhook(body, signWebhook(body, SECRET, Math.floor(Date.now() / 1000)), SECRET, null));
    // A tolerance that is not a number of seconds must not switch the time check off.
    for (const tolerance of [NaN, -1, '300', null]) {
      assert.throws(() => verifyWebhook(body, header, SECRET, { nowSeconds: t + 10_000, toleranceSeconds: tolerance as never }), RangeError, String(tolerance));
    }
    assert.ok(verifyWebhook(body, header, SECRET, { nowSeconds: t + 10_000, toleranceSeconds: 0 }));
    // Huge and unicode inputs.
    fails('malformed_header', () => verifyWebhook(body, `t=${t},${'v1=x,'.repeat(100_000)}`, SECRET, at));
    fails('no_matching_signature', () => verifyWebhook('x'.repeat(10_000_000), header, SECRET, at));
    const emoji = JSON.stringify({ note: '😀 \u0000 \u2028' });
    assert.deepEqual(verifyWebhook(Buffer.from(emoji), signWebhook(emoji, SECRET, t), SECRET, at), JSON.parse(emoji));
    fails('no_matching_signature', () => verifyWebhook(Buffer.from(emoji, 'latin1'), signWebhook(emoji, SECRET, t), SECRET, at));
  });

  test('defaults to the real clock with a 300 s tolerance', () => {
    const now = Math.floor(Date.now() / 1000);
    assert.ok(verifyWebhook(body, signWebhook(body, SECRET, now), SECRET));
    fails('timestamp_out_of_tolerance', () => verifyWebhook(body, signWebhook(body, SECRET, now - 400), SECRET));
  });

  test('is exported as mixpay-checkout/server (the built package entry)', async () => {
    ensureServerEntry();
    const entry = (await import('mixpay-checkout/server')) as typeof import('../../server/index.ts');
    const header = entry.signWebhook(body, SECRET, t);
    assert.equal(header, signWebhook(body, SECRET, t));
    assert.deepEqual(entry.verifyWebhook(body, header, SECRET, { nowSeconds: t }), JSON.parse(body));
    assert.throws(() => entry.verifyWebhook(body, header, 'wrong-secret-000000'), entry.WebhookVerificationError);
  });
});
