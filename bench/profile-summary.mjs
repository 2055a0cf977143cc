#!/usr/bin/env node
// A V8 CPU profile (.cpuprofile, e.g. from BENCH_CPU_PROF=<dir>) summed per function, per unit of
// work: `node bench/profile-summary.mjs <file> <units> [self|inclusive]` prints the total and the
// top functions (TOP, default 40) in µs per unit and % of all samples. `units` is what the run
// did (the bench's order count), so figures from runs of different lengths compare.
import { readFileSync } from 'node:fs';

const [file, unitsArg, mode = 'self'] = process.argv.slice(2);
const units = Number(unitsArg);
if (!file || !(units > 0) || !['self', 'inclusive'].includes(mode)) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> <units> [self|inclusive]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|bench|test)\//, '$1/')}:${n.callFrame.lineNumber}`;
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const sums = new Map();
for (const [id, time] of selfTime) {
  if (mode === 'self') {
    const key = name(nodes.get(id));
    sums.set(key, (sums.get(key) ?? 0) + time);
    continue;
  }
  // Inclusive: the sample counts once for every distinct function on its stack.
  const onStack = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) onStack.add(name(nodes.get(at)));
  for (const key of onStack) sums.set(key, (sums.get(key) ?? 0) + time);
}
console.log(`total ${(total / 1e3).toFixed(0)} ms, ${(total / units).toFixed(1)} µs per unit (${mode})`);
for (const [key, time] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) {
  console.log(`${(time / units).toFixed(1).padStart(8)} µs ${((100 * time) / total).toFixed(1).padStart(5)} %  ${key}`);
}
