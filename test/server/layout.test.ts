/**
 * The tree tells the architecture (style.md, "Two halves, one shape"): the merchant half and the
 * broker half never import each other or the composition root (server/*.ts), type-only imports
 * included, and the shared core imports neither half nor the root. Also keeps the files of the
 * halves, the core and the root small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SERVER = resolve('server');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier: `import ... from`, `export ... from`, `import type`, side-effect and dynamic imports. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** What a file under server/ reaches: `merchant`, `broker`, `core`, `root` (server/*.ts) or another folder's name. */
function areaOf(path: string): string {
  const inside = relative(SERVER, path);
  if (inside.startsWith('..')) return 'outside';
  const parts = inside.split(sep);
  return parts.length === 1 ? 'root' : parts[0]!;
}

function importsOf(file: string): Array<{ specifier: string; area: string }> {
  return specifiersOf(readFileSync(file, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((specifier) => ({ specifier, area: areaOf(resolve(dirname(file), specifier)) }));
}

const FORBIDDEN: Record<string, string[]> = {
  merchant: ['broker', 'root'],
  broker: ['merchant', 'root'],
  core: ['merchant', 'broker', 'root'],
};

test('the specifier scanner sees every kind of import', () => {
  const source = `import a from './a.ts';\nimport type { B } from '../b.ts';\nexport { c } from "./c.ts";\nimport './d.ts';\nconst e = await import('./e.ts');\nimport {\n  f,\n  type G,\n} from './f.ts';`;
  assert.deepEqual(specifiersOf(source).sort(), ['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts']);
});

for (const [area, forbidden] of Object.entries(FORBIDDEN)) {
  test(`server/${area}/ imports neither ${forbidden.join(' nor ')}`, () => {
    const problems: string[] = [];
    for (const file of filesUnder(join(SERVER, area))) {
      for (const { specifier, area: reached } of importsOf(file)) {
        if (forbidden.includes(reached)) problems.push(`${relative('.', file)} imports ${specifier} (${reached})`);
      }
    }
    assert.deepEqual(problems, []);
  });
}

test('files of the halves, the core and the root stay under ~300 lines', () => {
  const files = [...filesUnder(join(SERVER, 'merchant')), ...filesUnder(join(SERVER, 'broker')), ...filesUnder(join(SERVER, 'core')), ...readdirSync(SERVER).filter((n) => n.endsWith('.ts')).map((n) => join(SERVER, n))];
  const long = files.map((file) => ({ file: relative('.', file), lines: readFileSync(file, 'utf8').split('\n').length })).filter((f) => f.lines > 310);
  assert.deepEqual(long, []);
});

test('server/workers/ is gone: each half keeps its own workers', () => {
  assert.throws(() => statSync(join(SERVER, 'workers')), /ENOENT/);
});
