/**
 * Who is calling: the socket's address, or behind our own reverse proxy (`TRUST_PROXY`) the last
 * `X-Forwarded-For` entry, the one that proxy appended (entries before it are the client's word).
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export function callerOf(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (forwarded) return forwarded;
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
