import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runEvery, runWorker } from '../../server/core/worker-loop.ts';
import { eventually, sleep } from '../support/wait.ts';


describe('worker loop', () => {
  test('runs at once, then again after each run ends, never two at once', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const loop = runEvery(5, async () => {
      active++;
      most = Math.max(most, active);
      runs++;
      await sleep(15);
      active--;
    }, () => {});
    // Wait for a second run rather than a fixed window: on a loaded machine 80 ms may hold only one.
    await eventually(() => runs >= 2, 10_000, 'a second run');
    await loop.stop();
    assert.ok(runs >= 2, `ran ${runs} times`);
    assert.equal(most, 1);
  });

  test('a failing task is logged with the worker name and retried, a synchronous throw included', async () => {
    const lines: string[] = [];
    let calls = 0;
    const loop = runWorker('demo', 5, (() => {
      calls++;
      throw new Error(`boom ${calls}`);
    }) as () => Promise<unknown>, (line) => lines.push(line));
    await eventually(() => calls >= 2, 10_000, 'a retry after the failure');
    await loop.stop();
    assert.ok(calls >= 2, `called ${calls} times`);
    assert.equal(lines[0], '[demo] boom 1');
  });

  test('stop waits for the run in progress and leaves nothing scheduled', async () => {
    let finished = false;
    let runs = 0;
    const loop = runEvery(1, async () => {
      runs++;
      await sleep(20);
      finished = true;
    }, () => {});
    await sleep(5);
    await loop.stop();
    assert.equal(finished, true);
    const after = runs;
    await sleep(30);
    assert.equal(runs, after);
  });
});
