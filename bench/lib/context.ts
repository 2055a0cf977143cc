/** What every figure group receives: the mode, a scratch directory, the shared sandbox and ceiling, and where rows go. */
import type { Child } from './processes.ts';
import type { Row } from './report.ts';
import type { MixPayStandIn } from './stack.ts';

export interface Bench {
  quick: boolean;
  /** Runs per figure (the table shows their median and range). */
  runs: number;
  /** Scratch directory of this bench run (SQLite files, config files), removed at the end. */
  dir: string;
  mixpay: MixPayStandIn;
  /** The ceiling (bare Hono), shared by the figures that only send it requests. */
  bare: Child;
  /** Why PostgreSQL cannot be used, or null when it answers. */
  postgresProblem: string | null;
  report(row: Row): void;
  /** The full-mode or the quick-mode value. */
  pick<T>(full: T, quick: T): T;
}

export type FigureGroup = (bench: Bench) => Promise<void>;
