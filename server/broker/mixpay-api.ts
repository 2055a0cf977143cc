/**
 * The endpoints MixPay calls on a broker (seed 000 §2) and the customer's return link. Mounted
 * under `/mixpay` by app.ts, which turns every error into the protocol's envelope.
 */
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { canonicalUuid, sameId } from '../core/ids.ts';
import type { BrokerDeps, BrokerEnv } from './deps.ts';
import { errorEnvelope, NoPermissionError, okEnvelope, ParameterError, PARAMETER_ERROR } from './api-errors.ts';
import { checkAmountInRange, parseCreateOrder, parseRangeQuery } from './api-schemas.ts';
import { createBrokerOrder } from './create-order.ts';
import { answerEnvelope } from './envelope-answer.ts';
import { checkSource, isAllowedHost } from './caller-checks.ts';
import { findOrder } from './order-store.ts';
import { queryFields, readFields } from './request-body.ts';

/** The configured wallet by MixPay's name for it; own keys only, so `constructor` is unknown. */
function walletFor(deps: BrokerDeps, name: string, payeeId: string) {
  const wallet = Object.hasOwn(deps.config.wallets, name) ? deps.config.wallets[name] : undefined;
  if (!wallet || !Object.hasOwn(deps.wallets, name)) throw new ParameterError('wallet', `${JSON.stringify(name)} is not offered by this broker`);
  const { allow, deny } = wallet.payees;
  if (allow && !allow.some((id) => sameId(id, payeeId))) throw new NoPermissionError();
  if (deny && deny.some((id) => sameId(id, payeeId))) throw new NoPermissionError();
  return wallet;
}

/** `GET /assets/range`, `POST /create_order`, `GET /return/:trace_id`; `limit` caps the body. */
export function mixpayApi(deps: BrokerDeps, limit: MiddlewareHandler) {
  const app = new Hono<BrokerEnv>();
  app.get('/assets/range', (c) => {
    checkSource(deps, c);
    const query = parseRangeQuery(queryFields(c));
    const wallet = walletFor(deps, query.wallet, query.payee_id);
    const data = Object.entries(wallet.assets).map(([asset_id, a]) => ({
      asset_id,
      min: a.min,
      max: a.max,
      min_usdt: a.min_usdt,
      max_usdt: a.max_usdt,
      fee: a.fee,
    }));
    return c.json(okEnvelope(data));
  });

  app.post('/create_order', limit, async (c) => {
    const source = checkSource(deps, c);
    const request = parseCreateOrder(await readFields(c), deps.now(), deps.config.mixpay.max_expiry_minutes * 60_000);
    const wallet = walletFor(deps, request.wallet, request.payee_id);
    const asset = Object.hasOwn(wallet.assets, request.asset_id) ? wallet.assets[request.asset_id] : undefined;
    if (!asset) throw new ParameterError('asset_id', `is not offered with wallet ${request.wallet}`);
    checkAmountInRange(request.amount, asset.min, asset.max);
    return answerEnvelope(c, okEnvelope(await createBrokerOrder(deps, request, asset, source)));
  });

  // Seed 000: the customer lands on return_url through an HTTP 302, and only the stored one.
  app.get('/return/:trace_id', async (c) => {
    const traceId = canonicalUuid(c.req.param('trace_id'));
    if (!traceId) throw new ParameterError('trace_id', 'must be a UUID');
    const order = await findOrder(deps.store.db, traceId);
    if (!order) return c.json(errorEnvelope(PARAMETER_ERROR, 'Parameter error: trace_id is not an order of this broker'), 404);
    // The URL's serialized form: percent-encoded ASCII, whatever characters MixPay sent. An
    // order stored before return_url was limited to MixPay's hosts is not followed elsewhere.
    const target = new URL(order.return_url);
    if (!isAllowedHost(target.hostname, deps.config.mixpay.return_hosts)) {
      return c.json(errorEnvelope(PARAMETER_ERROR, 'Parameter error: return_url of this order is not on mixpay.return_hosts'), 400);
    }
    return c.redirect(target.href, 302);
  });
  return app;
}
