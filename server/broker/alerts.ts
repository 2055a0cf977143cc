/**
 * Operator alerts: a log line always, and a signed POST when a URL is configured. The POST is
 * signed exactly like the merchant notifications (`Mixpay-Checkout-Signature: t=<unix s>,v1=<hex
 * HMAC-SHA256(secret, "t.body")>`), so the operator verifies it with the exported `verifyWebhook`.
 */
import { SIGNATURE_HEADER, signWebhook } from '../core/signature.ts';

export interface Alert {
  /** Stable key; the same key is not re-sent within `repeatSeconds`. */
  key: string;
  kind: 'low_balance' | 'payment_unavailable' | 'settlement_failing' | 'unmatched_transfer' | 'refund_failing';
  message: string;
  details?: Record<string, unknown>;
}

export interface Alerter {
  alert(alert: Alert): Promise<void>;
}

export interface AlerterOptions {
  url?: string | undefined;
  secret?: string | undefined;
  repeatSeconds: number;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
}

/** `t=..,v1=..` for a body sent at `timestampSeconds`. */
export function signAlertBody(secret: string, timestampSeconds: number, body: string): string {
  return signWebhook(body, secret, timestampSeconds);
}

export function createAlerter(options: AlerterOptions): Alerter {
  const lastSent = new Map<string, number>();
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.warn(line));
  const fetchImpl = options.fetch ?? fetch;
  return {
    async alert(alert) {
      const at = now();
      const previous = lastSent.get(alert.key);
      if (previous !== undefined && at - previous < options.repeatSeconds * 1000) return;
      lastSent.set(alert.key, at);
      log(`[broker alert] ${alert.kind}: ${alert.message}${alert.details ? ` ${JSON.stringify(alert.details)}` : ''}`);
      if (!options.url || !options.secret) return;
      const body = JSON.stringify({ type: `broker.${alert.kind}`, message: alert.message, details: alert.details ?? {}, created_at: Math.floor(at / 1000) });
      const t = Math.floor(at / 1000);
      try {
        const response = await fetchImpl(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signAlertBody(options.secret, t, body) },
          body,
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) log(`[broker alert] POST ${options.url} answered HTTP ${response.status}`);
      } catch (error) {
        log(`[broker alert] POST ${options.url} failed: ${(error as Error).message}`);
      }
    },
  };
}
