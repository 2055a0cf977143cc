/**
 * Sandbox-only control calls: what the pay page's buttons and the tests use to play the customer,
 * and the callback log for whoever debugs a receiver.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { isJsonRequest, readFields } from './body.ts';
import { SandboxError, successEnvelope } from './envelope.ts';
import { decimalAmount } from './one-time-payment-schema.ts';
import { OUTCOMES, type SimulateRequest } from './outcomes.ts';
import type { PaymentBook } from './payment-book.ts';
import { paymentResultOf } from './result.ts';

const absentIfEmpty = (value: unknown) => (value === '' || value === null ? undefined : value);
const optionalId = z.preprocess(absentIfEmpty, z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an id of letters, digits and dashes').optional());

const simulateSchema = z.object({
  outcome: z.enum(OUTCOMES, { error: `must be one of ${OUTCOMES.join(', ')}` }),
  paymentAmount: z.preprocess(absentIfEmpty, decimalAmount.optional()),
  quoteAmount: z.preprocess(absentIfEmpty, decimalAmount.optional()),
  quoteAssetId: optionalId,
  payeeId: optionalId,
});

export function mixpayControl(book: PaymentBook, now: () => number): Hono {
  return new Hono()
    .post('/:code/simulate', async (c) => {
      const code = c.req.param('code');
      const fromPage = !isJsonRequest(c);
      const pagePath = c.req.path.replace(/\/payments\/[^/]+\/simulate$/, `/code/${encodeURIComponent(code)}`);
      try {
        const payment = book.byLinkCode(code);
        book.simulate(payment, parseSimulate(await readFields(c)));
        if (fromPage) return c.redirect(pagePath, 303);
        return c.json(successEnvelope(paymentResultOf(payment, { payment: true, transactions: true }), now()));
      } catch (error) {
        // The page shows the refusal; JSON callers get MixPay's envelope from the error handler.
        if (fromPage && error instanceof SandboxError && error.kind !== 'notFound') {
          return c.redirect(`${pagePath}?notice=${encodeURIComponent(error.message)}`, 303);
        }
        throw error;
      }
    })
    .get('/:code/callbacks', (c) => {
      const payment = book.byLinkCode(c.req.param('code'));
      return c.json(
        successEnvelope(
          {
            callbackUrl: payment.request.callbackUrl ?? '',
            subscribedEvents: [...payment.callbackEvents],
            deliveries: payment.deliveries,
          },
          now(),
        ),
      );
    });
}

function parseSimulate(fields: Record<string, unknown>): SimulateRequest {
  const parsed = simulateSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SandboxError('parameter', `${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}.`);
  }
  const { outcome, paymentAmount, quoteAmount, quoteAssetId, payeeId } = parsed.data;
  const request: SimulateRequest = { outcome };
  if (paymentAmount !== undefined) request.paymentAmount = paymentAmount;
  if (quoteAmount !== undefined) request.quoteAmount = quoteAmount;
  if (quoteAssetId !== undefined) request.quoteAssetId = quoteAssetId;
  if (payeeId !== undefined) request.payeeId = payeeId;
  return request;
}
