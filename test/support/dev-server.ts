/**
 * The end-to-end suites' world: the development server (demo shop, sandbox, built element) on a
 * free port over a fresh SQLite file, and headless Chromium, for the enclosing `describe`.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { configFor, startServer, type RunningServer } from '../../server/main.ts';
import { launchChromium } from './browser.ts';
import { freePort } from './ports.ts';

/**
 * Starts both before the suite's tests and stops them after; read `.server` and `.browser` inside
 * tests and hooks. `built` are the files the suite loads, checked first (`npm run build`).
 */
export function devServerPerSuite(name: string, settings: Record<string, string>, built: string[]): { server: RunningServer; browser: Browser } {
  const world = {} as { server: RunningServer; browser: Browser };
  let dir: string | undefined;
  before(async () => {
    for (const file of built) assert.ok(existsSync(file), `run \`npm run build\` first: the suite loads ${file}`);
    dir = mkdtempSync(join(tmpdir(), `mixpay-${name}-`));
    const { config } = configFor('dev', {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
      SANDBOX_TIME_SCALE: '0.001',
      ...settings,
    });
    world.server = await startServer(config, { quiet: true });
    world.browser = await launchChromium();
  });
  after(async () => {
    await world.browser?.close();
    await world.server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return world;
}

/** Records page errors and CSP violations (also as `window.__cspViolations`) so a test can assert there were none. */
export async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as any).__cspViolations = [...((window as any).__cspViolations ?? []), `${event.violatedDirective} ${event.blockedURI}`];
    });
  });
  return problems;
}
