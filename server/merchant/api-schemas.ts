/**
 * Schemas of the merchant API's requests (the ones handlers validate with) and of its answers (the
 * ones the route tests parse real answers with). /openapi.json is generated from these, so the
 * document cannot drift from what the server accepts.
 */
import { z } from 'zod';
import { ORDER_STATUSES } from './order-state.ts';
import type { OrderStatus } from '../store/schema.ts';

export { createOrderSchema } from './create-order.ts';

export const orderStatusSchema = z.enum(ORDER_STATUSES as [OrderStatus, ...OrderStatus[]]);

/** `GET /v1/orders?status=NEW,PAID&limit=20&offset=0` (newest first). */
export const listOrdersQuerySchema = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : []))
    .pipe(z.array(orderStatusSchema))
    .describe('Comma-separated statuses to include; all when absent.'),
  merchant_order_id: z.string().max(200).optional().describe('Only orders with this merchant_order_id.'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('Skip this many orders. Slower on large tables, and answers `total` (a count of every matching order): prefer `cursor`.'),
  cursor: z.string().max(100).optional().describe('The `next_cursor` of the previous page (keyset paging: the same cost on every page).'),
  starting_after: z.string().uuid().optional().describe('Only orders after this order_id in the list (keyset paging, as Stripe names it).'),
});

export const orderIdSchema = z.string().uuid().describe('The order_id this server gave the order.');

const decimal = z.string().describe('A decimal amount as a string, e.g. "19.99"');
const nullableDecimal = decimal.nullable();

export const orderViewSchema = z.object({
  order_id: z.string(),
  merchant_order_id: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  callback_url: z.string().nullable(),
  cancel_url: z.string().nullable(),
  success_url: z.string().nullable(),
  price_amount: decimal,
  price_currency: z.string(),
  pay_amount: nullableDecimal,
  pay_currency: z.string().nullable(),
  amount_due: nullableDecimal.describe('What the customer still owes after paying less (UNRESOLVED).'),
  status: orderStatusSchema,
  failure_reason: z.string().nullable(),
  late_payment: z.boolean().describe('True when money arrived after the order had expired or been canceled.'),
  settle_status: z.string().nullable(),
  settle_amount: nullableDecimal,
  settle_asset: z.string().nullable(),
  payment_url: z.string().nullable(),
  created_at: z.string(),
  created_at_t: z.number().int(),
  updated_at: z.string(),
  expires_at: z.string(),
  expires_at_t: z.number().int(),
});

export const linksSchema = z.object({ checkout_url: z.string(), universal_url: z.string(), deep_link: z.string() });

export const createdOrderSchema = z.object({
  status: z.literal(201),
  order: orderViewSchema.extend({ payee_name: z.string().nullable().describe('MERCHANT_NAME, shown to customers as the payee.') }),
  payment_url: z.string().nullable(),
  links: linksSchema,
  status_url: z.string(),
  events_url: z.string(),
});

export const orderAnswerSchema = z.object({
  status: z.literal(200),
  order: orderViewSchema,
  invoice: z.object({
    invoice_id: z.string().nullable(),
    order_id: z.string(),
    status: orderStatusSchema,
    price_amount: decimal,
    price_currency: z.string(),
    pay_amount: nullableDecimal,
    pay_currency: z.string().nullable(),
    amount_due: nullableDecimal,
    payment_url: z.string().nullable(),
    expires_at: z.string(),
  }),
  links: linksSchema,
});

export const orderListSchema = z.object({
  status: z.literal(200),
  orders: z.array(orderViewSchema),
  total: z.number().int().optional().describe('Every matching order; only when the request names `offset`.'),
  limit: z.number().int(),
  offset: z.number().int(),
  has_more: z.boolean(),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last.'),
});

export const errorSchema = z.object({
  status: z.number().int(),
  error_code: z.string().describe('PARAMETERS_MISSING, INVALID_PARAMETERS, AUTHENTICATION_FAILED, ORDER_NOT_FOUND, ORDER_NOT_CANCELABLE, RATE_LIMITED, UPSTREAM_UNAVAILABLE, ...'),
  error: z.string(),
});

/** `GET /admin/v1/notifications?state=gave_up&limit=&offset=` */
export const adminNotificationsQuerySchema = z.object({
  state: z.enum(['pending', 'delivered', 'gave_up', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The body POSTed to the order's callback_url (see docs/merchant.md); signed, see verifyWebhook. */
export const notificationSchema = z.object({
  merchant_order_id: z.string().nullable(),
  order_id: z.string(),
  status: orderStatusSchema,
  price_amount: decimal,
  price_currency: z.string(),
  pay_amount: nullableDecimal,
  pay_currency: z.string().nullable(),
  created_at: z.string(),
  created_at_t: z.number().int(),
  token: z.string().nullable().describe('The token you passed when creating the order.'),
  meta: z.object({
    event_id: z.string().describe('Also in the Mixpay-Checkout-Event-Id header; the same on every retry and resend.'),
    event: z.enum(['order.status_changed', 'order.settled']).describe('A status change, or settlement news on a PAID order (status unchanged, settle_* filled).'),
    order_version: z.number().int().describe('The order version after this event; ignore an event older than one you have handled.'),
    previous_status: orderStatusSchema.nullable(),
    changed_at_t: z.number().int(),
    amount_due: nullableDecimal,
    late_payment: z.boolean(),
    failure_reason: z.string().nullable(),
    settle_status: z.string().nullable(),
    settle_amount: nullableDecimal,
    settle_asset: z.string().nullable(),
  }),
});
