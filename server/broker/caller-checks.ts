/**
 * Who may reserve the bot's balance (issue 13 High 1). Seed 000 gives MixPay's calls no
 * authentication, so the broker checks what a stranger cannot easily fake or gains nothing by
 * faking: the caller's address (when the operator lists MixPay's), the `opponent_id` (only
 * MixPay's bot can receive the transfer), and a `return_url` on MixPay's own hosts, so our
 * `/mixpay/return/<trace>` never sends a customer anywhere else. The expiry ceiling is in
 * api-schemas.ts, the caps on open orders in reservations.ts. Each refusal is the protocol's own.
 */
import type { Context } from 'hono';
import { callerOf, plainAddress } from '../core/caller.ts';
import { sameId } from '../core/ids.ts';
import type { BrokerDeps } from './deps.ts';
import { NoPermissionError, ParameterError } from './api-errors.ts';

/** The caller's address as the caps record it, or null when the server cannot tell (app.request in tests). */
export function sourceOf(deps: BrokerDeps, c: Context): string | null {
  const address = plainAddress(callerOf(c, deps.trustProxy ?? false));
  return address === 'unknown' ? null : address;
}

/** 11001 unless the caller is on `mixpay.source_ips` (an empty list lets anyone call). */
export function checkSource(deps: BrokerDeps, c: Context): string | null {
  const source = sourceOf(deps, c);
  const allowed = deps.config.mixpay.source_ips;
  if (allowed.length > 0 && (source === null || !allowed.some((ip) => plainAddress(ip) === source))) {
    deps.log(`[broker] ${c.req.method} ${c.req.path} from ${source ?? 'an unknown address'}, not in mixpay.source_ips; refused`);
    throw new NoPermissionError();
  }
  return source;
}

/** 11000 unless `opponent_id` is MixPay's bot (`mixpay.bot_ids`), by the one id rule. */
export function checkOpponent(deps: BrokerDeps, opponentId: string): void {
  if (!deps.config.mixpay.bot_ids.some((id) => sameId(id, opponentId))) {
    throw new ParameterError('opponent_id', "is not MixPay's bot: the transfer would go to someone else");
  }
}

/** True when `host` is one of `allowed` or a subdomain of one. */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((h) => name === h || name.endsWith(`.${h}`));
}

/** 11000 unless `return_url` lies on one of `mixpay.return_hosts`: no open redirect through us. */
export function checkReturnUrl(deps: BrokerDeps, returnUrl: string): void {
  const { hostname } = new URL(returnUrl);
  if (!isAllowedHost(hostname, deps.config.mixpay.return_hosts)) {
    throw new ParameterError('return_url', `must be on ${deps.config.mixpay.return_hosts.join(', ')} (mixpay.return_hosts)`);
  }
}
