/** The bench's result table: one row per figure, the median of its runs beside the same-run ceiling. */
import { spread } from './stats.ts';

export interface Row {
  figure: string;
  unit: string;
  /** One value per run. */
  values: number[];
  /** The same measurement of bare Hono in the same runs, or a fixed reference (see ceilingLabel). */
  ceiling?: number[];
  /** Names a ceiling that is not bare Hono (e.g. "MixPay's limit"). */
  ceilingLabel?: string;
  /** Shown instead of the number of runs, for a figure taken over samples of one run (e.g. "30 payments"). */
  runsLabel?: string;
  /** The issue 12 target, as text. */
  target?: string;
  /** Why the figure has no value (skipped or failed). */
  error?: string;
}

/** 12,345 / 123 / 12.3 / 1.23: about three significant digits, thousands separated. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 || Number.isInteger(value) ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** 0.0042× / 0.15× / 2.84× / 224×: small ratios keep two significant digits. */
function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 10) return `${ratio.toFixed(0)}×`;
  if (ratio >= 0.1 || ratio === 0) return `${ratio.toFixed(2)}×`;
  return `${ratio.toPrecision(2)}×`;
}

function valueCell(values: number[], unit: string): string {
  const s = spread(values);
  const range = s.n > 1 ? ` (${formatNumber(s.min)}–${formatNumber(s.max)})` : '';
  return `${formatNumber(s.median)}${unit === '×' ? '' : ' '}${unit}${range}`;
}

function cells(row: Row): string[] {
  if (row.error || !row.values.length) return [row.figure, row.error ?? 'no value', '', '', '', row.target ?? ''];
  const value = valueCell(row.values, row.unit);
  const runs = row.runsLabel ?? String(row.values.length);
  if (!row.ceiling?.length) return [row.figure, value, runs, '—', '—', row.target ?? ''];
  const ceiling = spread(row.ceiling).median;
  const label = row.ceilingLabel ? ` (${row.ceilingLabel})` : '';
  const ratio = spread(row.values).median / ceiling;
  return [row.figure, value, runs, `${formatNumber(ceiling)} ${row.unit}${label}`, formatRatio(ratio), row.target ?? ''];
}

/** A Markdown table, so a full run's output can go into docs/performance.md as it is. */
export function formatTable(rows: Row[]): string {
  const header = ['figure', 'value: median (min–max)', 'runs', 'ceiling (same run)', 'ratio', 'issue 12 target'];
  const body = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}
