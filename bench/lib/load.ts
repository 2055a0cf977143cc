/**
 * HTTP load through autocannon: a bounded run (connections × seconds) against a loopback URL,
 * reduced to throughput and latency. A run that got connection errors or answers other than the
 * expected status is an error, not a number.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fresh body for every request (e.g. a new trace_id). */
  body?: () => string;
  /** Answers with this status count as done; anything else is unexpected (default 200). */
  expectStatus?: number;
  /** Called with every response body (only when given: reading bodies costs the client time). */
  onBody?: (body: string) => void;
}

export interface LoadResult {
  /** Expected answers per second over the whole run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const { url, connections, seconds, method = 'GET', headers = {}, body, onBody } = options;
  const expect = options.expectStatus ?? 200;
  const request: autocannon.Request = { method, headers };
  if (body) request.setupRequest = (req) => ({ ...req, body: body() });
  if (onBody) request.onResponse = (_status, responseBody) => onBody(responseBody);
  const result = await autocannon({ url, connections, duration: seconds, requests: [request], timeout: 30 });
  const byStatus = result.statusCodeStats ?? {};
  const expected = byStatus[String(expect) as `${number}`]?.count ?? 0;
  const answered = Object.values(byStatus).reduce((sum, s) => sum + (s?.count ?? 0), 0);
  if (result.errors > 0 || answered - expected > 0 || expected === 0) {
    const statuses = Object.entries(byStatus).map(([code, s]) => `${code}×${s?.count ?? 0}`).join(', ');
    throw new Error(`${method} ${url}: expected only ${expect}, got ${statuses || 'nothing'}, ${result.errors} connection errors (${result.timeouts} timeouts)`);
  }
  return { rps: expected / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99, total: expected };
}
