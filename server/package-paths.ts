/**
 * Where the package's own files are, wherever it runs from: this module is server/package-paths.ts
 * in the repository (run by tsx) and dist/server/package-paths.js once compiled (run by the
 * installed command). Paths relative to the working directory would point into the merchant's
 * project instead of the package.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const compiled = basename(dirname(here)) === 'dist';

/** The package's root folder (holds package.json, dist/, demo/). */
export const PACKAGE_ROOT = resolve(here, compiled ? '../..' : '..');

/** The built element and the rest of the build. */
export const DIST_DIR = join(PACKAGE_ROOT, 'dist');

/** The demo shop served by `dev`. */
export const DEMO_DIR = join(PACKAGE_ROOT, 'demo');
