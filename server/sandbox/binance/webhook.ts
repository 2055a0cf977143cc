/**
 * Binance Pay's notifications to the merchant (contracts §4): a PAY body signed with the sandbox's
 * RSA key over `timestamp\nnonce\nbody\n`, sent again until answered `returnCode: SUCCESS`, up to
 * six times after the first attempt.
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { BinanceSandboxOrder } from './order.ts';

export const CERT_SERIAL = 'sandbox-cert-1';

/** Binance retries a webhook up to 6 times after the first attempt (contracts §4). */
export const WEBHOOK_RETRIES = 6;

export type BizStatus = 'PAY_SUCCESS' | 'PAY_CLOSED';

export interface WebhookSenderOptions {
  fetch: typeof fetch;
  now: () => number;
  log: (line: string) => void;
  /** Delay between attempts; Binance documents none (unconfirmed), the sandbox waits 5 s. */
  retryMs: number;
}

export class WebhookSender {
  private keys: { privateKey: KeyObject; certPublic: string } | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  /** Made on first use, not at start: an RSA key takes ~150 ms, and most runs never pay through Binance. */
  private get signingKeys() {
    if (!this.keys) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.keys = { privateKey, certPublic: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    }
    return this.keys;
  }

  /** Served by `/certificates`, so the merchant can verify what this sender signs. */
  get certPublic(): string {
    return this.signingKeys.certPublic;
  }

  /** Sends one notification about the order, retrying on its own. */
  notify(order: BinanceSandboxOrder, bizStatus: BizStatus, attempt = 0): void {
    if (this.stopped || !order.webhookUrl) return;
    const { now, log } = this.options;
    const data = JSON.stringify({
      merchantTradeNo: order.merchantTradeNo, productType: 'Food', productName: order.goods.goodsName, transactTime: order.transactTime, tradeType: 'WEB',
      totalFee: Number(order.orderAmount), currency: order.currency, transactionId: `T${order.prepayId}`,
    });
    // bizId is a 64-bit number that JS cannot hold exactly: written raw, as Binance does, with bizIdStr beside it.
    const body = `{"bizType":"PAY","bizId":${order.prepayId},"bizIdStr":"${order.prepayId}","bizStatus":"${bizStatus}","data":${JSON.stringify(data)}}`;
    const timestamp = String(now());
    const nonce = Array.from(randomBytes(32), (x) => 'abcdefghijklmnopqrstuvwxyz'[x % 26]).join('');
    const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(this.signingKeys.privateKey, 'base64');
    void (async () => {
      let status: number | 'error' = 'error';
      try {
        const response = await this.options.fetch(order.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'BinancePay-Timestamp': timestamp, 'BinancePay-Nonce': nonce, 'BinancePay-Signature': signature, 'BinancePay-Certificate-SN': CERT_SERIAL },
          body,
          signal: AbortSignal.timeout(5000),
        });
        status = response.status;
        const reply = (await response.json().catch(() => ({}))) as { returnCode?: string };
        if (response.ok && reply.returnCode === 'SUCCESS') {
          order.webhooks.push({ bizStatus, status, at: now() });
          return;
        }
      } catch (error) {
        log(`[binance sandbox] webhook to ${order.webhookUrl} failed: ${(error as Error).message}`);
      }
      order.webhooks.push({ bizStatus, status, at: now() });
      if (attempt < WEBHOOK_RETRIES) this.later(this.options.retryMs, () => this.notify(order, bizStatus, attempt + 1));
    })();
  }

  /** Runs `task` after `ms` unless stopped first. */
  later(ms: number, task: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
