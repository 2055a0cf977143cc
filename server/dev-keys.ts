/**
 * The development keys (`dev`, what `npm start` runs): random, made once per data directory and
 * kept there in `dev-keys.json` (mode 600), so a development server never answers to a key
 * published in this repository, and the keys stay the same from one start to the next. Each starts
 * with `dev-`, which `serve` refuses in production (config.ts, productionProblems).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const DEV_KEY_NAMES = ['MERCHANT_API_KEY', 'ADMIN_API_KEY', 'WEBHOOK_SECRET'] as const;
export type DevKeys = Record<(typeof DEV_KEY_NAMES)[number], string>;

export const DEV_KEYS_FILE = 'dev-keys.json';

/** Where `dev` keeps its data: the SQLite file's folder, or `./data` (PostgreSQL keeps the rest itself); none for `:memory:`. */
export function dataDirectoryOf(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return resolve('data');
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' || path === '' ? undefined : dirname(resolve(path));
}

const freshKeys = (): DevKeys => Object.fromEntries(DEV_KEY_NAMES.map((name) => [name, `dev-${randomBytes(24).toString('hex')}`])) as DevKeys;

/**
 * The keys kept in `dir` (made and written there on first use); `file` is where they are, unset for
 * a database in memory, whose keys last as long as the process. Several processes starting on one
 * directory at once agree: the file appears whole (written aside, then linked), the first one wins.
 */
export function developmentKeys(dir: string | undefined): { keys: DevKeys; file?: string } {
  if (!dir) return { keys: freshKeys() };
  const file = join(dir, DEV_KEYS_FILE);
  const read = (): DevKeys | undefined => {
    try {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevKeys>;
      return DEV_KEY_NAMES.every((name) => typeof kept[name] === 'string' && kept[name]!.length >= 16) ? (kept as DevKeys) : undefined;
    } catch {
      return undefined;
    }
  };
  const kept = read();
  if (kept) return { keys: kept, file };
  mkdirSync(dir, { recursive: true });
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(freshKeys(), null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (error) {
    // Another process made it first (EEXIST): use theirs. An unreadable file is replaced.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || read() === undefined) renameSync(aside, file);
  } finally {
    rmSync(aside, { force: true });
  }
  return { keys: read()!, file };
}
