/**
 * Sign-in sessions of the admin page. Signing in with ADMIN_API_KEY gives an HttpOnly,
 * SameSite=Strict cookie (Secure everywhere but loopback) that expires; the session row keeps only
 * the SHA-256 of the cookie, the operator's name (written into the history of what they change)
 * and a CSRF token. Every state-changing request must echo that token in `x-csrf-token`: the
 * cookie alone, which a browser attaches by itself, never changes anything.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import type { MerchantDeps, MerchantEnv } from '../merchant/deps.ts';
import { errorBody } from '../merchant/api-errors.ts';
import { safeEqual } from '../merchant/auth.ts';
import type { Database } from '../store/schema.ts';

export const SESSION_COOKIE = 'mixpay_admin_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A working day; the operator signs in again after it. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface AdminSession {
  operator: string;
  csrfToken: string;
  expiresAt: number;
}

export type AdminEnv = { Variables: MerchantEnv['Variables'] & { session: AdminSession } };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const token = () => randomBytes(32).toString('base64url');

/** Loopback hosts speak plain HTTP in development; everywhere else the cookie is Secure. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function openSession(db: Kysely<Database>, operator: string, now: number): Promise<{ secret: string; session: AdminSession }> {
  const secret = token();
  const session = { operator, csrfToken: token(), expiresAt: now + SESSION_TTL_MS };
  // Expired sessions are swept whenever someone signs in, so the table never grows without end.
  await db.deleteFrom('admin_sessions').where('expires_at', '<=', now).execute();
  await db
    .insertInto('admin_sessions')
    .values({ id_hash: sha256(secret), csrf_token: session.csrfToken, operator, created_at: now, expires_at: session.expiresAt })
    .execute();
  return { secret, session };
}

export async function findSession(db: Kysely<Database>, secret: string | undefined, now: number): Promise<AdminSession | null> {
  if (!secret || secret.length > 100) return null;
  const row = await db.selectFrom('admin_sessions').selectAll().where('id_hash', '=', sha256(secret)).executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return null;
  return { operator: row.operator, csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) };
}

export async function closeSession(db: Kysely<Database>, secret: string | undefined): Promise<void> {
  if (secret) await db.deleteFrom('admin_sessions').where('id_hash', '=', sha256(secret)).execute();
}

export function setSessionCookie(c: Context, secret: string, expiresAt: number, now: number): void {
  setCookie(c, SESSION_COOKIE, secret, {
    path: '/admin',
    httpOnly: true,
    sameSite: 'Strict',
    secure: !isLoopbackHost(new URL(c.req.url).hostname),
    maxAge: Math.floor((expiresAt - now) / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: !isLoopbackHost(new URL(c.req.url).hostname) });
}

export const sessionSecretOf = (c: Context) => getCookie(c, SESSION_COOKIE);

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A state-changing request from a browser must come from this origin: `Origin` (or, without it,
 * `Sec-Fetch-Site`) names where the page that sent it lives. Requests without either are not
 * from a browser's page and carry no ambient cookie risk.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin) return origin === new URL(c.req.url).origin;
  const site = c.req.header('sec-fetch-site');
  return !site || site === 'same-origin' || site === 'none';
}

/** Requires a live session; on POST/PUT/PATCH/DELETE also the session's CSRF token and this origin. */
export function requireSession(deps: Pick<MerchantDeps, 'store' | 'now'>): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const session = await findSession(deps.store.db, sessionSecretOf(c), deps.now());
    if (!session) return c.json(errorBody(401, 'SIGN_IN_REQUIRED', 'sign in to the admin page first (POST /admin/session with the admin key)'), 401);
    if (UNSAFE.has(c.req.method)) {
      const presented = c.req.header(CSRF_HEADER);
      if (!presented || !safeEqual(presented, session.csrfToken) || !sameOrigin(c)) {
        return c.json(errorBody(403, 'CSRF_TOKEN_INVALID', `a change needs the session's CSRF token in the ${CSRF_HEADER} header, sent from this origin`), 403);
      }
    }
    c.set('session', session);
    await next();
  };
}
