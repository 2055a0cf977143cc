#!/usr/bin/env node
// Gzip sizes of the built element (run `npm run build` first), checked against the budgets of
// issue 3: (a) what must load before the button renders, (b) everything the element can load.
//
// Both follow the import graph of dist/mixpay-button.js: (a) the entry and its static imports;
// (b) adds every dynamic import, transitively. The string tables (one chunk per locale) are alternatives
// (a page loads at most one), so (b) counts the largest of them; the sum of all of them is printed
// as well. dist/mixpay-button.iife.js inlines everything, every locale included: its size is
// printed for information.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_FIRST_RENDER = 10 * 1024;
const BUDGET_EVERYTHING = 30 * 1024;
const DIST = resolve(import.meta.dirname, '..', 'dist');
const ENTRY = join(DIST, 'mixpay-button.js');
const IIFE = join(DIST, 'mixpay-button.iife.js');
const LOCALE_CHUNK = /[\\/](en|zh-CN|zh-TW|ja|ko|es|fr|de|pt-BR|ru|tr|ar)-[\w-]+\.js$/;

if (!existsSync(ENTRY)) {
  console.error(`size: ${relative(process.cwd(), ENTRY)} is missing; run \`npm run build\` first.`);
  process.exit(2);
}

const gzip = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Relative imports of a built module: static (`from"./x.js"`, `import"./x.js"`) and dynamic (`import("./x.js")`). */
function importsOf(file) {
  const code = readFileSync(file, 'utf8');
  const at = (path) => resolve(dirname(file), path);
  const fixed = [...code.matchAll(/(?:\bfrom|\bimport)\s*["'`](\.{1,2}\/[^"'`]+)["'`]/g)].map((m) => at(m[1]));
  const lazy = [...code.matchAll(/\bimport\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g)].map((m) => at(m[1]));
  return { fixed, lazy };
}

function closure(start, followLazy) {
  const seen = new Set();
  const queue = [start];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const { fixed, lazy } = importsOf(file);
    queue.push(...fixed, ...(followLazy ? lazy : []));
  }
  return seen;
}

const firstRender = closure(ENTRY, false);
const everything = closure(ENTRY, true);
const locales = [...everything].filter((f) => LOCALE_CHUNK.test(f));
const largestLocale = locales.reduce((max, f) => Math.max(max, gzip(f)), 0);
const sum = (files) => [...files].reduce((total, f) => total + gzip(f), 0);

const a = sum(firstRender);
const allLocales = sum(locales);
const b = sum(everything) - allLocales + largestLocale;

console.log('file                                               gzip');
for (const f of [...everything].sort()) {
  const tag = firstRender.has(f) ? ' (first render)' : LOCALE_CHUNK.test(f) ? ' (one locale)' : '';
  console.log(`${relative(DIST, f).padEnd(48)} ${String(gzip(f)).padStart(6)} B${tag}`);
}
console.log('');
console.log(`(a) before the button renders:   ${kb(a)} (budget ${kb(BUDGET_FIRST_RENDER)})`);
console.log(`(b) everything it can load:      ${kb(b)} (budget ${kb(BUDGET_EVERYTHING)}; one locale chunk of ${locales.length}, largest counted)`);
console.log(`    with all ${locales.length} locale chunks:      ${kb(sum(everything))}`);
if (existsSync(IIFE)) console.log(`    classic script (IIFE), all inlined: ${kb(gzip(IIFE))}`);

let failed = false;
if (a > BUDGET_FIRST_RENDER) {
  console.error(`size: (a) ${kb(a)} is over the ${kb(BUDGET_FIRST_RENDER)} budget`);
  failed = true;
}
if (b > BUDGET_EVERYTHING) {
  console.error(`size: (b) ${kb(b)} is over the ${kb(BUDGET_EVERYTHING)} budget`);
  failed = true;
}
process.exit(failed ? 1 : 0);
