/**
 * `/openapi.json` of a server with broker mode on: Redocly's recommended rules (the CLI pinned at
 * 2.77.0) find no error; every operation has an operationId and a security statement (a
 * requirement, or `[]` with its reason); every documented route is served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configFor, startServer, type RunningServer } from '../../server/main.ts';
import { freePort } from '../support/ports.ts';

const run = promisify(execFile);

describe('OpenAPI document', () => {
  let server: RunningServer;
  let dir: string;
  let doc: any;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mixpay-openapi-'));
    const { config } = configFor('dev', { PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'openapi.db')}`, RUN_WORKERS: '0' });
    server = await startServer(config, { quiet: true });
    doc = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.entries<any>(item).map(([method, operation]) => ({ path, method, operation })));

  test('every operation has an operationId and a security statement; public ones say why', () => {
    const ids = new Set<string>();
    for (const { path, method, operation } of operations()) {
      assert.ok(operation.operationId, `${method} ${path}: operationId`);
      assert.ok(!ids.has(operation.operationId), `${operation.operationId} is unique`);
      ids.add(operation.operationId);
      assert.ok(Array.isArray(operation.security), `${method} ${path}: security`);
      if (operation.security.length === 0) assert.ok(operation.description?.length > 20, `${method} ${path}: says why it is public`);
    }
    for (const path of ['/mixpay/assets/range', '/mixpay/create_order', '/livez', '/readyz', '/metrics', '/admin/session', '/admin/api/orders', '/widget/{file}']) assert.ok(doc.paths[path], path);
    assert.deepEqual(doc.paths['/mixpay/create_order'].post.responses['200'].content['application/json'].schema.allOf[0], { $ref: '#/components/schemas/BrokerEnvelope' });
  });

  test('every documented route is served, broker mode included', async () => {
    for (const { path, method } of operations()) {
      const url = `${server.url}${path.replace(/\{(order_id|event_id|trace_id)\}/, '00000000-0000-0000-0000-000000000000').replace('{wallet}', 'binance').replace('{action}', 'cancel').replace('{file}', 'mixpay-button.js')}`;
      const answer = await fetch(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: method === 'post' ? '{}' : undefined, redirect: 'manual' });
      assert.doesNotMatch(await answer.text(), /no route/, `${method.toUpperCase()} ${path}`);
    }
  });

  test('Redocly lint finds no error', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    let output: string;
    try {
      ({ stdout: output } = await run(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--format=json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? '';
      if (!output.trim().startsWith('{')) throw error;
    }
    const report = JSON.parse(output.slice(output.indexOf('{')));
    const errors = report.problems.filter((p: any) => p.severity === 'error').map((p: any) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    assert.deepEqual(errors, []);
    // Health routes have no 4xx, the broker's return is a redirect, and a development server's URL is
    // localhost: the only warnings allowed.
    const warnings = report.problems.filter((p: any) => p.severity === 'warn').map((p: any) => `${p.ruleId} ${p.location[0]?.pointer}`);
    for (const warning of warnings) assert.match(warning, /^(operation-4xx-response #\/paths\/~1(healthz|livez|readyz)|operation-2xx-response #\/paths\/~1mixpay~1return|no-server-example.com #\/servers)/, warning);
  });
});
