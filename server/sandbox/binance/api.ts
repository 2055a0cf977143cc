/** The sandbox Binance Pay's merchant API (contracts §4): create v3, query v2, refund v3, certificates. */
import Big from 'big.js';
import { Hono } from 'hono';
import type { BinanceBook } from './book.ts';
import { parseCreateOrder, parseRefund, type BinanceSandboxOrder } from './order.ts';
import { binanceFailure, requireSignedRequest, type BinanceApiEnv, type BinanceMerchant } from './signature.ts';
import { CERT_SERIAL } from './webhook.ts';

export interface BinanceApiState {
  book: BinanceBook;
  merchants: Map<string, BinanceMerchant>;
  /** The webhook signer's public key (PEM), made on first ask. */
  certPublic: () => string;
  now: () => number;
}

const success = (data: unknown) => ({ status: 'SUCCESS', code: '000000', data, errorMessage: '' });

export function binanceApi({ book, merchants, certPublic, now }: BinanceApiState) {
  const ownOrder = (merchant: BinanceMerchant, prepayId: string | undefined): BinanceSandboxOrder | undefined => {
    const order = prepayId ? book.find(prepayId) : undefined;
    return order?.merchant === merchant.apiKey ? order : undefined;
  };

  return new Hono<BinanceApiEnv>()
    .use('*', requireSignedRequest(merchants, now))
    .post('/v3/order', (c) => {
      const parsed = parseCreateOrder(c.var.body, now());
      if (!parsed.ok) return binanceFailure(c, 400, parsed.code, parsed.message);
      const request = parsed.value;
      const base = c.req.url.slice(0, c.req.url.indexOf('/binancepay/openapi'));
      const links = (order: BinanceSandboxOrder) => ({
        prepayId: order.prepayId,
        terminalType: request.terminalType,
        expireTime: order.expireTime,
        qrcodeLink: `${base}/qr/${order.prepayId}.png`,
        qrContent: `${base}/pay/${order.prepayId}`,
        checkoutUrl: `${base}/pay/${order.prepayId}`,
        deeplink: `bnc://app.binance.com/payment/secpay?tempToken=${order.prepayId}`,
        universalUrl: `${base}/pay/${order.prepayId}?app=1`,
      });
      const known = book.byMerchantTradeNo(c.var.merchant.apiKey, request.merchantTradeNo);
      if (known) {
        // Unconfirmed: Binance refuses a repeated merchantTradeNo; the sandbox returns the same order
        // when every field matches, so a broker retrying a lost answer can be tried by hand.
        if (!new Big(known.orderAmount).eq(request.orderAmount) || known.currency !== request.currency) return binanceFailure(c, 400, '400201', 'merchantTradeNo is invalid or duplicated');
        return c.json(success({ ...links(known), expireTime: request.expireTime }));
      }
      return c.json(success(links(book.create(c.var.merchant, request))));
    })
    .post('/v2/order/query', (c) => {
      let request: { prepayId?: unknown; merchantTradeNo?: unknown } = {};
      try {
        request = (JSON.parse(c.var.body || '{}') as typeof request) ?? {};
      } catch {
        return binanceFailure(c, 400, '400000', 'The request body is not JSON');
      }
      const order =
        typeof request.prepayId === 'string'
          ? ownOrder(c.var.merchant, request.prepayId)
          : typeof request.merchantTradeNo === 'string'
            ? book.byMerchantTradeNo(c.var.merchant.apiKey, request.merchantTradeNo)
            : undefined;
      if (!order) return binanceFailure(c, 404, '400202', 'Order not found.');
      return c.json(success({ merchantId: 1, prepayId: order.prepayId, merchantTradeNo: order.merchantTradeNo, status: order.status, currency: order.currency, orderAmount: order.orderAmount, transactTime: order.transactTime, createTime: now() }));
    })
    .post('/v3/order/refund', (c) => {
      const request = parseRefund(c.var.body);
      const order = ownOrder(c.var.merchant, request.prepayId);
      if (!order) return binanceFailure(c, 404, '400202', 'Order not found.');
      if (!request.refundRequestId || !request.refundAmount) return binanceFailure(c, 400, '400000', 'refundRequestId and refundAmount are required');
      const outcome = book.refund(order, request.refundRequestId, request.refundAmount);
      if (!outcome.ok) return binanceFailure(c, 400, outcome.code, outcome.message);
      return c.json(success({
        refundRequestId: request.refundRequestId, prepayId: order.prepayId, orderAmount: order.orderAmount, refundedAmount: request.refundAmount, refundFee: '0',
        remainingAttempts: 9, payerOpenId: 'sandbox-payer', duplicateRequest: outcome.duplicate ? 'Y' : 'N',
      }));
    })
    .post('/certificates', (c) => c.json(success([{ certSerial: CERT_SERIAL, certPublic: certPublic() }])));
}
