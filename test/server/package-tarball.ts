/**
 * What the package tests share: the repository packed as it is published (`npm pack`, the build
 * already done by the test line), a fresh project that installs the tarball, and a running command
 * of that project. Installs prefer npm's cache (the repository's own install filled it), so they
 * take seconds and still work on a clean CI machine, where the registry is reachable.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '../support/stack.ts';

export const REPO = resolve(import.meta.dirname, '../..');
const QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** Packs the repository (or one of packages/) into `into`; returns the tarball's path. */
export function pack(into: string, folder = REPO): string {
  for (const built of ['dist/server/cli.js', 'dist/mixpay-button.js', 'dist/catalog.schema.json']) {
    if (!existsSync(join(REPO, built))) throw new Error(`${built} is missing: run \`npm run build\` first (the test line does)`);
  }
  // A tarball of an old build would test old code.
  const builtAt = statSync(join(REPO, 'dist/catalog.schema.json')).mtimeMs;
  const newer = ['server', 'widget'].flatMap((dir) => readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f))).find((f) => f.endsWith('.ts') && statSync(join(REPO, f)).mtimeMs > builtAt);
  if (newer) throw new Error(`${newer} is newer than the build: run \`npm run build\` first (the test line does)`);
  // --ignore-scripts: prepack would build again what the test line has just built.
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', into], { cwd: folder, encoding: 'utf8' }).trim().split('\n').pop()!;
  return join(into, name);
}

/** A fresh project in a temporary directory with `tarballs` installed. */
export function freshProject(tarballs: string[], prefix = 'mixpay-pkg-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }));
  npm(dir, ['install', ...QUIET, ...tarballs]);
  return dir;
}

/** Runs npm in `dir`. */
export function npm(dir: string, args: string[]): string {
  return execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Gives a project the SQLite driver from the repository's own install: the same package, compiled
 * once already (compiling better-sqlite3 again takes two minutes here). `npm install better-sqlite3`
 * is what a merchant runs; this test checks the rest.
 */
export function linkSqliteDriver(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules/better-sqlite3'), join(dir, 'node_modules/better-sqlite3'), 'dir');
}

/** Every package in a project's node_modules (scoped ones as @scope/name), nested included. */
export function installedPackages(dir: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        found.push(name);
        walk(join(modules, name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * Starts a command in its own process group and collects its output; `stop` sends SIGTERM to the
 * group (npx runs the server as its child) and resolves, once the command and everything it
 * started are done writing, to the command's exit code (null when a signal ended it).
 */
export function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string | undefined>; user?: { uid: number; gid: number } }): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options.user });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  // 'close', not 'exit': npx ends at the signal while the server below it, which shares its output
  // pipes, is still shutting down; 'close' waits until every process holding them has let go.
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
}

/** Waits until `url` answers 200 (or the process exits); resolves to the milliseconds it took. */
export async function healthy(url: string, process: Running, timeoutMs = 20_000): Promise<number> {
  const start = performance.now();
  await eventually(async () => {
    if (process.child.exitCode !== null) throw new Error(`exited with ${process.child.exitCode}:\n${process.output()}`);
    const response = await fetch(url).catch(() => undefined);
    return response?.status === 200;
  }, timeoutMs, `${url} to answer 200; output so far:\n${process.output()}`);
  return Math.round(performance.now() - start);
}
