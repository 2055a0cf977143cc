/**
 * The wallets' payment notifications, `POST /webhooks/:wallet` (the path names the wallet as the
 * config does). A verified notification only says "look now": payment-sync.ts asks the wallet.
 */
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { WebhookRejectedError } from '../wallets/types.ts';
import type { BrokerDeps, BrokerEnv } from './deps.ts';
import { errorEnvelope, PARAMETER_ERROR } from './api-errors.ts';
import { recordWalletEvent } from './payment-sync.ts';

/** Verifies a wallet's notification and applies it; `limit` caps the body. */
export function webhooksApi(deps: BrokerDeps, limit: MiddlewareHandler) {
  const app = new Hono<BrokerEnv>();
  app.post('/webhooks/:wallet', limit, async (c) => {
    const name = c.req.param('wallet');
    const wallet = Object.hasOwn(deps.wallets, name) ? deps.wallets[name] : undefined;
    if (!wallet) return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: wallet ${name} is not configured`), 404);
    const raw = await c.req.text();
    try {
      const event = await wallet.verifyWebhook(c.req.raw.headers, raw);
      await recordWalletEvent(deps, name, event);
    } catch (error) {
      if (error instanceof WebhookRejectedError) {
        deps.log(`[broker] ${name} webhook refused: ${error.message}`);
        return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: ${error.message}`), 401);
      }
      throw error;
    }
    return c.json(wallet.webhookAck() as object);
  });
  return app;
}
