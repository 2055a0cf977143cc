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

/** The newest modification time among `paths` under `root` (files, or folders searched through). */
function newest(root, paths) {
  let time = 0;
  for (const path of paths.map((p) => join(root, p))) {
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory() ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [path];
    for (const file of files) time = Math.max(time, statSync(file).mtimeMs);
  }
  return time;
}

/** The names of the builds in `root` whose output is missing or older than one of its sources. */
export function staleBuilds(root) {
  return BUILDS.filter(({ output, sources }) => {
    const built = join(root, output);
    return !existsSync(built) || newest(root, [...sources, ...DEPENDENCIES]) > statSync(built).mtimeMs;
  }).map(({ name }) => name);
}
