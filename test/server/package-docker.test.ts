/**
 * The Dockerfile, run without Docker (Docker cannot run on the test machines): its instructions,
 * read from the file, in order, in a temporary directory that stands for each stage's filesystem
 * (`/app` of a stage is `<tmp>/<stage>/app`). Then the image's CMD (migrate, serve) as its USER with
 * the image's ENV and the settings `docker run --env-file` would give, and its HEALTHCHECK.
 *
 * Where the emulation differs, on purpose:
 * - the `build` stage (npm ci, then npm pack of the repository) is the test's own `npm pack` of this
 *   repository, already built by the test line;
 * - npm prefers its cache, and better-sqlite3's native build is the repository's, already compiled
 *   (install scripts are off; compiling it again takes two minutes here);
 * - FROM, VOLUME and EXPOSE have no effect; USER is uid 1000 when the test runs as root.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.ts';
import { healthy, pack, REPO, run } from './package-tarball.ts';

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [, op, args] = line.match(/^(\w+)\s+(.*)$/)!;
      return { op: op!.toUpperCase(), args: args!.trim() };
    });
}

const command = (args: string): string[] => (args.startsWith('[') ? JSON.parse(args) : ['sh', '-c', args]);

describe('the Dockerfile, step by step, without Docker', () => {
  let root: string;
  let tarball: string;
  const steps = instructions(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'mixpay-docker-'));
    chmodSync(root, 0o755); // USER node must reach /app and /data
    tarball = pack(mkdtempSync(join(tmpdir(), 'mixpay-docker-pack-')));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('is multi-stage, installs with npm ci --omit=dev, runs as a non-root user with a /data volume and a /healthz check', () => {
    const text = steps.map((s) => `${s.op} ${s.args}`).join('\n');
    assert.ok(steps.filter((s) => s.op === 'FROM').length >= 2);
    assert.match(text, /RUN npm ci --omit=dev/);
    assert.match(text, /\nUSER node\n/);
    assert.match(text, /VOLUME \["\/data"\]/);
    assert.match(text, /HEALTHCHECK .*\/healthz/);
    assert.match(text, /ENV .*DATABASE_URL=sqlite:\/data\//);
  });

  test('its instructions, in order: install from the packed tarball, migrate, serve, /healthz', async () => {
    const asRoot = process.getuid?.() === 0;
    let stage = '';
    let cwd = root;
    let env: Record<string, string> = {};
    let user: { uid: number; gid: number } | undefined;
    let cmd: string[] = [];
    let healthcheck: string[] = [];
    /** An image path (/app, /data, /src) in the current stage's stand-in filesystem. */
    const inStage = (name: string, text: string) => text.replace(/(^|[\s:=])\/(app|data|src)\b/g, (_, before, dir) => `${before}${join(root, name, dir)}`);
    const log: string[] = [];
    for (const { op, args } of steps) {
      log.push(`${stage || '-'}: ${op} ${args}`.slice(0, 140));
      if (op === 'FROM') {
        stage = args.match(/\bAS\s+(\S+)/i)?.[1] ?? 'image';
        cwd = join(root, stage);
        env = {};
        mkdirSync(cwd, { recursive: true });
        if (stage === 'build') {
          // The build stage ends with `npm pack --pack-destination pkg` in /src: the same tarball.
          mkdirSync(join(root, 'build/src/pkg'), { recursive: true });
          cpSync(tarball, join(root, 'build/src/pkg', tarball.split('/').pop()!));
        }
        continue;
      }
      if (stage === 'build') continue;
      switch (op) {
        case 'WORKDIR':
          cwd = inStage(stage, args);
          mkdirSync(cwd, { recursive: true });
          break;
        case 'ENV':
          for (const pair of args.split(/\s+/)) {
            const [key, ...value] = pair.split('=');
            env[key!] = inStage(stage, value.join('='));
          }
          break;
        case 'COPY': {
          const from = args.match(/--from=(\S+)/)?.[1];
          assert.ok(from, `COPY outside the build stage comes from a stage: ${args}`);
          const paths = args.replace(/--from=\S+\s+/, '').split(/\s+/);
          const dest = paths.pop()!;
          for (const source of paths) {
            const target = dest.endsWith('/') ? join(cwd, dest, source.endsWith('/') ? '' : source.split('/').pop()!) : join(cwd, dest);
            cpSync(inStage(from, source), target, { recursive: true });
          }
          break;
        }
        case 'RUN': {
          const mapped = inStage(stage, args);
          const result = spawnSync('sh', ['-c', mapped], {
            cwd,
            encoding: 'utf8',
            env: { ...process.env, ...env, npm_config_prefer_offline: 'true', npm_config_ignore_scripts: 'true', npm_config_loglevel: 'error' },
          });
          assert.equal(result.status, 0, `${op} ${args}\n${result.stdout}\n${result.stderr}`);
          if (/\bnpm ci\b/.test(args)) {
            const installed = join(cwd, 'node_modules/better-sqlite3');
            rmSync(installed, { recursive: true, force: true });
            cpSync(join(REPO, 'node_modules/better-sqlite3'), installed, { recursive: true, dereference: true });
          }
          break;
        }
        case 'USER':
          user = asRoot ? { uid: 1000, gid: 1000 } : undefined;
          break;
        case 'HEALTHCHECK':
          healthcheck = command(args.replace(/^(--\S+\s+)*CMD\s+/, ''));
          break;
        case 'CMD':
          cmd = command(args).map((part) => inStage(stage, part));
          break;
        case 'VOLUME':
        case 'EXPOSE':
          break;
        default:
          assert.fail(`the emulation does not know ${op}; teach it or keep the Dockerfile to what it knows`);
      }
    }
    assert.ok(cmd.length && healthcheck.length, log.join('\n'));
    const port = await freePort();
    // What `docker run --env-file .env -p 8787:8787 -v mixpay-data:/data` gives the container.
    const settings = {
      ...env,
      PORT: String(port),
      PUBLIC_URL: 'https://pay.shop.example',
      MERCHANT_API_KEY: 'merchant-key-0123456789abcdef',
      ADMIN_API_KEY: 'admin-key-0123456789abcdef',
      WEBHOOK_SECRET: 'webhook-secret-0123456789abcdef',
      MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a',
      MIXPAY_API_BASE: 'http://127.0.0.1:9/v1',
    };
    const started = performance.now();
    const server = run(cmd[0]!, cmd.slice(1), { cwd, env: { PATH: process.env.PATH, ...settings }, ...(user ? { user } : {}) });
    try {
      const ms = await healthy(`http://127.0.0.1:${port}/healthz`, server);
      console.log(`# container CMD (migrate, then serve) to healthy: ${Math.round(performance.now() - started)} ms (first 200 after ${ms} ms of polling)`);
      assert.match(server.output(), /applied 001_orders/);
      assert.match(server.output(), /CATALOG_FILE is unset: the catalog is empty/);
      const check = spawnSync(healthcheck[0]!, healthcheck.slice(1), { env: { PATH: process.env.PATH, ...settings }, encoding: 'utf8' });
      assert.equal(check.status, 0, `HEALTHCHECK: ${check.stderr}`);
      const owner = execFileSync('stat', ['-c', '%u', join(root, 'image/data/mixpay.db')], { encoding: 'utf8' }).trim();
      if (user) assert.equal(owner, '1000', 'the database is written by the unprivileged user');
    } finally {
      await server.stop();
    }
    assert.match(server.output(), /shutting down/);
  });
});
