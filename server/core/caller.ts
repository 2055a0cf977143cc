/**
 * Who is calling: the socket's address, or behind our own reverse proxy (`TRUST_PROXY`) the last
 * `X-Forwarded-For` entry, the one that proxy appended (entries before it are the client's word).
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { reportWarning } from './channels.ts';

let warnedNoProxyHeader = false;

/**
 * With TRUST_PROXY on, a request without X-Forwarded-For means no proxy of ours stood in front of
 * it: then anyone can send that header and pick the address limits and MIXPAY_CALLBACK_IPS see.
 * Said once per process, where the operator reads the log.
 */
export function warnIfNoProxyHeader(warn: (line: string) => void = reportWarning): void {
  if (warnedNoProxyHeader) return;
  warnedNoProxyHeader = true;
  warn('TRUST_PROXY is on, but a request arrived without X-Forwarded-For: if no reverse proxy of yours sits in front of this server, turn TRUST_PROXY off, or anyone can spoof the address that rate limits and MIXPAY_CALLBACK_IPS check');
}

/** For tests: lets the next request without the header warn again. */
export function resetProxyWarning(): void {
  warnedNoProxyHeader = false;
}

export function callerOf(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (forwarded) return forwarded;
    warnIfNoProxyHeader();
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by @hono/node-server (app.request in tests).
    return 'unknown';
  }
}

/** "::ffff:52.198.117.57" (IPv4 on an IPv6 socket) is 52.198.117.57. */
export function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}
