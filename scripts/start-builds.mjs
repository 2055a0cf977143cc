// Which of `npm start`'s builds (scripts/start.mjs) are out of date: each output against the
// newest file among its sources. The dependencies count as a source of all three, since each
// output has its dependencies inside (lit in the element, hono, zod, kysely... in the server
// bundle): after an `npm install` that changed them, every build is redone.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DEPENDENCIES = ['package.json', 'node_modules/.package-lock.json'];

export const BUILDS = [
  { name: 'element', output: 'dist/mixpay-button.js', sources: ['widget', 'vite.config.ts'] },
  { name: 'admin page', output: 'dist/admin/admin.js', sources: ['server/admin/page', 'vite.admin.config.ts'] },
  { name: 'server', output: 'dist/server/cli.js', sources: ['server', 'widget', 'scripts/server-bundle.mjs'] },
];

/** The newest modification time under `path` (a file, or a folder searched through); 0 when missing. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const files = statSync(path).isDirectory() ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [path];
  return files.reduce((time, file) => Math.max(time, statSync(file).mtimeMs), 0);
}

/** The names of the builds in `root` whose output is missing or older than one of its sources. */
export function staleBuilds(root) {
  // Each source is read once, though builds share them (widget/, the dependencies).
  const times = new Map();
  const timeOf = (source) => {
    if (!times.has(source)) times.set(source, newest(join(root, source)));
    return times.get(source);
  };
  return BUILDS.filter(({ output, sources }) => {
    const built = join(root, output);
    return !existsSync(built) || Math.max(...[...sources, ...DEPENDENCIES].map(timeOf)) > statSync(built).mtimeMs;
  }).map(({ name }) => name);
}
