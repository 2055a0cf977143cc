/** MixPay's public API as the sandbox plays it: `/v1/one_time_payment` and `/v1/payments_result` (contracts §1). */
import { Hono } from 'hono';
import { readFields } from './body.ts';
import { SandboxError, successEnvelope } from './envelope.ts';
import { parseOneTimePayment } from './one-time-payment-schema.ts';
import type { PaymentBook } from './payment-book.ts';
import { parseIncludes, paymentResultOf } from './result.ts';

export function mixpayApi(book: PaymentBook, now: () => number): Hono {
  return new Hono()
    .post('/one_time_payment', async (c) => {
      const input = parseOneTimePayment(await readFields(c), now());
      const payment = book.create(input);
      return c.json(successEnvelope({ code: payment.code }, now()));
    })
    .get('/payments_result', (c) => {
      const { traceId, orderId, payeeId } = c.req.query();
      let payment;
      if (traceId) {
        payment = book.byTrace(traceId);
      } else if (orderId && payeeId) {
        payment = book.byOrderOf(payeeId, orderId);
      } else {
        throw new SandboxError('parameter', 'Send traceId, or orderId together with payeeId.');
      }
      return c.json(successEnvelope(paymentResultOf(payment, parseIncludes(c.req.query('with'))), now()));
    })
    .all('*', (c) => {
      throw new SandboxError('noRoute', `The sandbox plays POST /one_time_payment and GET /payments_result only, not ${c.req.method} ${c.req.path}.`);
    });
}
