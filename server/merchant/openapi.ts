/**
 * `/openapi.json`, generated from the zod schemas the handlers validate with (requests) and the
 * route tests parse answers with (responses). OpenAPI 3.1 uses JSON Schema 2020-12, which is what
 * `z.toJSONSchema` emits.
 */
import { z } from 'zod';
import {
  adminNotificationsQuerySchema,
  createdOrderSchema,
  createOrderSchema,
  errorSchema,
  listOrdersQuerySchema,
  notificationSchema,
  orderAnswerSchema,
  orderListSchema,
  orderViewSchema,
} from './api-schemas.ts';
import { checkoutSchema } from './public-api.ts';
import { completeOpenApi } from '../ops/openapi.ts';

type JsonSchema = Record<string, unknown>;

/** Request shapes are documented as the client writes them (before defaults and transforms). */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.ZodObject) {
  const json = schemaOf(schema, 'input') as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: json.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [String(code), json(ref('Error'), 'Error in MugglePay\'s shape')]));
const orderIdParameter = { name: 'order_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const eventIdParameter = { name: 'event_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** The OpenAPI 3.1 document: one declarative literal, long because the API is, with no logic to split. */
export function openApiDocument(publicUrl: string) {
  const merchant = [{ merchantToken: [] }];
  const admin = [{ adminKey: [] }];
  // Broker, admin page, health and metrics routes, operationIds and security statements: ops/openapi.ts.
  return completeOpenApi({
    openapi: '3.1.0',
    info: {
      title: 'mixpay-checkout',
      version: '0.1.0',
      description:
        'MugglePay-compatible order API over MixPay one-time payment links. Amounts are decimal strings. ' +
        'Notifications to callback_url are signed: see docs/merchant.md and verifyWebhook in mixpay-checkout/server.',
    },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        merchantToken: { type: 'apiKey', in: 'header', name: 'token', description: 'MERCHANT_API_KEY, as MugglePay\'s API token' },
        adminKey: { type: 'apiKey', in: 'header', name: 'x-admin-key', description: 'ADMIN_API_KEY' },
      },
      schemas: {
        CreateOrderRequest: schemaOf(createOrderSchema, 'input'),
        CheckoutRequest: schemaOf(checkoutSchema, 'input'),
        Order: schemaOf(orderViewSchema, 'output'),
        CreatedOrder: schemaOf(createdOrderSchema, 'output'),
        OrderAnswer: schemaOf(orderAnswerSchema, 'output'),
        OrderList: schemaOf(orderListSchema, 'output'),
        Notification: schemaOf(notificationSchema, 'output'),
        Error: schemaOf(errorSchema, 'output'),
      },
    },
    paths: {
      '/v1/orders': {
        post: {
          summary: 'Create an order and its MixPay one-time link (MugglePay Create Order)',
          security: merchant,
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateOrderRequest') }, 'application/x-www-form-urlencoded': { schema: ref('CreateOrderRequest') } } },
          responses: { '200': json(ref('CreatedOrder'), 'Created (`"status": 201` in the body, as MugglePay answers), or the same merchant_order_id and price again: the existing order'), ...errors(400, 401, 429, 502) },
        },
        get: {
          summary: 'List orders, newest first',
          security: merchant,
          parameters: queryParameters(listOrdersQuerySchema),
          responses: { '200': json(ref('OrderList'), 'A page of orders'), ...errors(400, 401) },
        },
      },
      '/v1/orders/{order_id}': {
        get: { summary: 'Get an order (with MugglePay\'s invoice)', security: merchant, parameters: [orderIdParameter], responses: { '200': json(ref('OrderAnswer'), 'The order'), ...errors(401, 404) } },
      },
      '/v1/orders/{order_id}/cancel': {
        post: {
          summary: 'Cancel a NEW order',
          security: merchant,
          parameters: [orderIdParameter],
          responses: { '200': json({ type: 'object', properties: { status: { const: 200 }, order: ref('Order') } }, 'Canceled'), ...errors(401, 404, 409) },
        },
      },
      '/v1/checkout': {
        post: {
          summary: 'Public: create a checkout for a catalog product (the server sets the price)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('CheckoutRequest') } } },
          responses: { '201': json(ref('CreatedOrder'), 'Created (without callback URLs or settlement)'), ...errors(400, 404, 429, 502) },
        },
      },
      '/v1/orders/{order_id}/status': {
        get: { summary: 'Public: minimal status, with ETag', parameters: [orderIdParameter], responses: { '200': { description: 'Status' }, '304': { description: 'Unchanged' }, ...errors(404) } },
      },
      '/v1/orders/{order_id}/events': {
        get: { summary: 'Public: Server-Sent Events of status changes', parameters: [orderIdParameter], responses: { '200': { description: 'text/event-stream' }, ...errors(404) } },
      },
      '/v1/orders/{order_id}/return': {
        get: {
          summary: 'MixPay returnTo / failedReturnTo: 302 to the order\'s stored success_url / cancel_url only',
          parameters: [orderIdParameter, { name: 'outcome', in: 'query', schema: { enum: ['success', 'failed'] } }],
          responses: { '302': { description: 'Redirect' }, '200': { description: 'A plain page when the order has no URL' }, ...errors(404) },
        },
      },
      '/mixpay/callback': {
        post: { summary: 'MixPay\'s callback; verified against /payments_result before anything changes', responses: { '200': { description: '{"code":"SUCCESS"}' }, '503': { description: 'MixPay could not be asked; call again' } } },
      },
      '/admin/v1/orders': {
        get: { summary: 'Admin: list orders with MixPay ids and schedule', security: admin, parameters: queryParameters(listOrdersQuerySchema), responses: { '200': { description: 'Orders' }, ...errors(400, 401, 404) } },
      },
      '/admin/v1/orders/{order_id}': {
        get: { summary: 'Admin: an order with its history and every notification attempt', security: admin, parameters: [orderIdParameter], responses: { '200': { description: 'Order, history, notifications' }, ...errors(401, 404) } },
      },
      '/admin/v1/notifications': {
        get: { summary: 'Admin: notifications, newest first', security: admin, parameters: queryParameters(adminNotificationsQuerySchema), responses: { '200': { description: 'Notifications' }, ...errors(400, 401) } },
      },
      '/admin/v1/notifications/{event_id}': {
        get: { summary: 'Admin: one notification with its attempts', security: admin, parameters: [eventIdParameter], responses: { '200': { description: 'Notification' }, ...errors(401, 404) } },
      },
      '/admin/v1/notifications/{event_id}/resend': {
        post: { summary: 'Admin: send an event again (same event id and body)', security: admin, parameters: [eventIdParameter], responses: { '200': { description: 'Queued' }, ...errors(401, 404) } },
      },
      '/healthz': { get: { summary: 'Ready', responses: { '200': { description: 'ok' }, '503': { description: 'not ready' } } } },
    },
    webhooks: {
      orderStatusChanged: {
        post: {
          summary: 'Sent to the order\'s callback_url on every status change, until a 2xx answer',
          parameters: [
            { name: 'Mixpay-Checkout-Event-Id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'Mixpay-Checkout-Signature', in: 'header', required: true, schema: { type: 'string', example: 't=1763779200,v1=5257a8…' } },
          ],
          requestBody: { content: { 'application/json': { schema: ref('Notification') } } },
          responses: { '200': { description: 'Any 2xx ends the retries' } },
        },
      },
    },
  });
}
