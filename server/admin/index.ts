/**
 * The admin page at /admin: the HTML shell, its built script, sign-in and sign-out, and the
 * session-guarded JSON under /admin/api. Off (a page that says how to turn it on) while
 * ADMIN_API_KEY is unset. The `x-admin-key` API at /admin/v1 is mounted separately and unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import type { MerchantDeps } from '../merchant/deps.ts';
import { errorBody, MerchantApiError, readJsonObject } from '../merchant/api-errors.ts';
import { safeEqual } from '../merchant/auth.ts';
import { callerOf } from '../core/caller.ts';
import { ADMIN_CSS, ADMIN_HEADERS, ADMIN_HTML } from './page-shell.ts';
import { DIST_DIR } from '../package-paths.ts';
import { adminPageApi } from './page-api.ts';
import { clearSessionCookie, closeSession, findSession, openSession, sameOrigin, sessionSecretOf, setSessionCookie, type AdminEnv } from './session.ts';

const signInSchema = z.object({
  key: z.string().min(1).max(500),
  operator: z.string().trim().max(100).optional(),
});

/** Wrong keys one address may try in SIGN_IN_WINDOW_MS before it waits. */
const SIGN_IN_FAILURES = 10;
const SIGN_IN_WINDOW_MS = 15 * 60_000;

export function adminPage(deps: MerchantDeps, options: { distDir?: string } = {}) {
  const app = new Hono<AdminEnv>();
  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(ADMIN_HEADERS)) if (!c.res.headers.has(name) || name === 'content-security-policy') c.res.headers.set(name, value);
  });
  const adminKey = deps.config.ADMIN_API_KEY;
  if (!adminKey) {
    return app.get('/', (c) => c.text('The admin page is off: set ADMIN_API_KEY (at least 16 characters) and restart the server.', 404));
  }
  const root = resolve(options.distDir ?? DIST_DIR, 'admin');
  const failures = new Map<string, { start: number; count: number }>();

  app.get('/', (c) => c.html(ADMIN_HTML));
  app.get('/assets/admin.css', (c) => c.body(ADMIN_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
  app.get('/assets/:file{[A-Za-z0-9_-]+\\.js}', async (c) => {
    try {
      const body = await readFile(join(root, c.req.param('file')));
      return c.body(body, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    } catch {
      return c.body('/* the admin page is not built: run npm run build */', 404, { 'content-type': 'text/javascript; charset=utf-8' });
    }
  });

  app.post('/session', async (c) => {
    // Sign-in changes state too: only from this origin's page, and only as JSON, which a form
    // on another site cannot send without a preflight.
    if (!sameOrigin(c) || !(c.req.header('content-type') ?? '').includes('application/json')) {
      return c.json(errorBody(403, 'CSRF_TOKEN_INVALID', 'sign in from the admin page of this server (a JSON POST from this origin)'), 403);
    }
    const now = deps.now();
    const caller = callerOf(c, deps.config.TRUST_PROXY);
    const tries = failures.get(caller);
    if (tries && now - tries.start < SIGN_IN_WINDOW_MS && tries.count >= SIGN_IN_FAILURES) {
      const retryAfter = Math.ceil((tries.start + SIGN_IN_WINDOW_MS - now) / 1000);
      throw new MerchantApiError(429, 'RATE_LIMITED', `too many wrong keys from this address; try again in ${retryAfter} s`, { 'retry-after': String(retryAfter) });
    }
    const parsed = signInSchema.safeParse(await readJsonObject(c));
    if (!parsed.success || !safeEqual(parsed.data.key, adminKey)) {
      const window = tries && now - tries.start < SIGN_IN_WINDOW_MS ? tries : { start: now, count: 0 };
      window.count += 1;
      failures.set(caller, window);
      if (failures.size > 10_000) failures.clear();
      deps.log(`admin: sign-in refused from ${caller}`);
      return c.json(errorBody(401, 'AUTHENTICATION_FAILED', 'wrong admin key: use the server\'s ADMIN_API_KEY'), 401);
    }
    failures.delete(caller);
    const operator = parsed.data.operator || 'operator';
    const { secret, session } = await openSession(deps.store.db, operator, now);
    setSessionCookie(c, secret, session.expiresAt, now);
    deps.log(`admin: ${operator} signed in from ${caller}`);
    return c.json({ status: 200, operator, csrf_token: session.csrfToken, expires_at_t: session.expiresAt });
  });

  app.post('/session/sign-out', async (c) => {
    const secret = sessionSecretOf(c);
    const session = await findSession(deps.store.db, secret, deps.now());
    if (session && (!safeEqual(c.req.header('x-csrf-token') ?? '', session.csrfToken) || !sameOrigin(c))) {
      return c.json(errorBody(403, 'CSRF_TOKEN_INVALID', 'signing out needs the session\'s CSRF token in the x-csrf-token header'), 403);
    }
    await closeSession(deps.store.db, secret);
    clearSessionCookie(c);
    return c.json({ status: 200, signed_in: false });
  });

  app.route('/api', adminPageApi(deps));
  return app;
}
