/**
 * Completes `/openapi.json` beyond the merchant API that server/merchant/openapi.ts describes:
 * broker mode's routes with their `{code, success, message, data}` envelope, the admin page's
 * session routes, health and metrics; an `operationId` on every operation; and on every operation
 * a security requirement or an explicit `security: []` with the reason it is public. Checked by
 * `@redocly/cli lint` in the test line (test/server/openapi-lint.test.ts).
 */
import { z } from 'zod';
import { createOrderSchema as brokerCreateOrderSchema, rangeQuerySchema } from '../broker/api-schemas.ts';

type Json = Record<string, any>;

/** One stable name per operation, `METHOD path` → operationId. */
export const OPERATION_IDS: Record<string, string> = {
  'post /v1/orders': 'createOrder',
  'get /v1/orders': 'listOrders',
  'get /v1/orders/{order_id}': 'getOrder',
  'post /v1/orders/{order_id}/cancel': 'cancelOrder',
  'post /v1/checkout': 'createCheckout',
  'get /v1/orders/{order_id}/status': 'getOrderStatus',
  'get /v1/orders/{order_id}/events': 'streamOrderEvents',
  'get /v1/orders/{order_id}/return': 'returnFromMixPay',
  'post /mixpay/callback': 'receiveMixPayCallback',
  'get /admin/v1/orders': 'adminListOrders',
  'get /admin/v1/orders/{order_id}': 'adminGetOrder',
  'get /admin/v1/notifications': 'adminListNotifications',
  'get /admin/v1/notifications/{event_id}': 'adminGetNotification',
  'post /admin/v1/notifications/{event_id}/resend': 'adminResendNotification',
  'get /healthz': 'getHealth',
};

/** Why each public operation needs no credentials. */
const PUBLIC_BECAUSE: Record<string, string> = {
  'post /v1/checkout': 'Public: the browser names a catalog product and the server sets the price; limited per address (CHECKOUT_PER_MINUTE).',
  'get /v1/orders/{order_id}/status': 'Public: the unguessable order id is the capability; the answer holds no personal data.',
  'get /v1/orders/{order_id}/events': 'Public: the unguessable order id is the capability; the answer holds no personal data.',
  'get /v1/orders/{order_id}/return': "Public: MixPay's returnTo; redirects only to the order's stored URLs.",
  'post /mixpay/callback': "Public by MixPay's design: the body is never trusted; every callback is checked against /payments_result before anything changes (optionally limited to MIXPAY_CALLBACK_IPS).",
  'get /healthz': 'Public: for load balancers.',
};

function schemaOf(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const envelope = (data: unknown) => ({ allOf: [ref('BrokerEnvelope'), { type: 'object', properties: { data } }] });
const brokerError = (description: string) => json(ref('BrokerEnvelope'), description);
const mugglePayError = (description: string) => json(ref('Error'), description);

const brokerPublic =
  "MixPay's broker protocol (seed 000) carries no credentials: MixPay calls these. A payee_id this broker does not serve is answered with code 11001 (NO_PERMISSION); a bad parameter with 11000; a wallet that cannot take the payment with 11002.";

function brokerPaths(): Json {
  const rangeParameters = Object.entries((schemaOf(rangeQuerySchema) as { properties: Json }).properties).map(([name, schema]) => ({ name, in: 'query', required: true, schema }));
  return {
    '/mixpay/assets/range': {
      get: {
        operationId: 'brokerAssetRange',
        tags: ['broker'],
        summary: 'Broker: the assets and amounts a wallet accepts for a payee',
        description: brokerPublic,
        security: [],
        parameters: rangeParameters,
        responses: {
          '200': json(envelope({ type: 'array', items: ref('BrokerAssetRange') }), 'The envelope; `data` is the list on success, `[]` with code 11001/11002 otherwise'),
          '400': brokerError('Code 11000: a parameter is missing or wrong'),
          '405': brokerError('Code 11000: another method than GET'),
        },
      },
    },
    '/mixpay/create_order': {
      post: {
        operationId: 'brokerCreateOrder',
        tags: ['broker'],
        summary: 'Broker: create the wallet order for a MixPay checkout and answer its links',
        description: `${brokerPublic} The same trace_id with the same fields answers the same links; with other fields, code 11000 naming the field.`,
        security: [],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('BrokerCreateOrderRequest') }, 'application/x-www-form-urlencoded': { schema: ref('BrokerCreateOrderRequest') } },
        },
        responses: {
          '200': json(envelope(ref('BrokerOrderLinks')), 'The envelope; `data` holds the links on success, `[]` with code 11001/11002 otherwise'),
          '400': brokerError('Code 11000: a parameter is missing or wrong'),
          '405': brokerError('Code 11000: another method than POST'),
          '413': brokerError('Code 11000: the body is larger than 16 KiB'),
        },
      },
    },
    '/mixpay/return/{trace_id}': {
      get: {
        operationId: 'brokerReturn',
        tags: ['broker'],
        summary: "Broker: the customer's way back, a 302 to the order's stored return_url only",
        description: 'Public: the customer follows it from the wallet; it redirects only to the URL MixPay gave for this trace_id.',
        security: [],
        parameters: [{ name: 'trace_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: { '302': { description: 'Redirect to return_url' }, '400': brokerError('Code 11000: trace_id is not a UUID'), '404': brokerError('Code 11000: no such order') },
      },
    },
    '/mixpay/webhooks/{wallet}': {
      post: {
        operationId: 'brokerWalletWebhook',
        tags: ['broker'],
        summary: "Broker: a wallet's payment notification (Binance Pay, MugglePay)",
        description: "Authenticated by the wallet's own signature over the raw body (each wallet's scheme), not by a header of ours.",
        security: [],
        parameters: [{ name: 'wallet', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { '200': { description: "The wallet's own acknowledgement" }, '401': brokerError('Code 11000: the signature did not verify'), '404': brokerError('Code 11000: no such wallet') },
      },
    },
  };
}

function operatorPaths(): Json {
  const status = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
  return {
    '/livez': { get: { operationId: 'getLiveness', tags: ['operations'], summary: 'The process runs its event loop', security: [], description: 'Public: for orchestrators; it looks at nothing else.', responses: { '200': status('ok') } } },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'The database answers, migrations are current and this process runs its workers',
        description: 'Public: for load balancers; the answer names what is not ready, no data.',
        security: [],
        responses: { '200': status('ready'), '503': status('not ready, with the failing checks') },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        tags: ['operations'],
        summary: 'Prometheus metrics (docs/operations.md)',
        description: 'With METRICS_TOKEN set, needs it as a bearer token; without, only direct loopback callers are answered.',
        security: [{ metricsToken: [] }],
        responses: { '200': { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': mugglePayError('Missing or wrong token'), '403': mugglePayError('Not a loopback caller and no METRICS_TOKEN set') },
      },
    },
    '/admin/session': {
      post: {
        operationId: 'adminSignIn',
        tags: ['admin page'],
        summary: "Admin page: sign in with ADMIN_API_KEY; sets the HttpOnly session cookie and answers the session's CSRF token",
        description: 'Public: this is where the key is presented. Only as JSON from this origin; 10 wrong keys per address per 15 minutes.',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['key'], properties: { key: { type: 'string' }, operator: { type: 'string', maxLength: 100 } } } } } },
        responses: { '200': status('Signed in: {operator, csrf_token, expires_at_t}'), '401': mugglePayError('Wrong key'), '403': mugglePayError('Not from this origin, or not JSON'), '429': mugglePayError('Too many wrong keys') },
      },
    },
    '/admin/session/sign-out': {
      post: {
        operationId: 'adminSignOut',
        tags: ['admin page'],
        summary: 'Admin page: end the session',
        security: [{ adminSession: [], csrfToken: [] }],
        responses: { '200': status('Signed out'), '403': mugglePayError('Missing CSRF token') },
      },
    },
  };
}

/** The admin page's own JSON (/admin/api): session cookie, and the CSRF token on every change. */
function adminPagePaths(): Json {
  const read = [{ adminSession: [] }];
  const change = [{ adminSession: [], csrfToken: [] }];
  const answer = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
  const refused = { '401': mugglePayError('No session: sign in first'), '403': mugglePayError('Missing or wrong CSRF token, or another origin') };
  const orderId = { name: 'order_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const eventId = { name: 'event_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const tags = ['admin page'];
  return {
    '/admin': { get: { operationId: 'adminPage', tags, summary: 'The admin page (HTML; its script is /admin/assets/admin.js)', description: 'Public: the page shell holds no data; everything it shows comes from /admin/api after sign-in.', security: [], responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, '404': { description: 'ADMIN_API_KEY is unset' } } } },
    '/admin/api/session': { get: { operationId: 'adminPageSession', tags, summary: "The signed-in operator and the session's CSRF token", security: read, responses: { '200': answer('{operator, csrf_token, expires_at_t, broker}'), '401': refused['401'] } } },
    '/admin/api/orders': {
      get: {
        operationId: 'adminPageSearchOrders',
        tags,
        summary: 'Orders newest first, keyset pages; q finds our id, merchant_order_id, traceId or link code',
        security: read,
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string' } },
          { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } },
          { name: 'after', in: 'query', description: 'The `next` cursor of the previous page', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
        ],
        responses: { '200': answer('{orders, next}'), '400': mugglePayError('A bad filter or cursor'), '401': refused['401'] },
      },
    },
    '/admin/api/orders/{order_id}': { get: { operationId: 'adminPageGetOrder', tags, summary: "An order, its timeline, notifications and the actions its status allows", security: read, parameters: [orderId], responses: { '200': answer('{order, timeline, notifications, actions}'), '401': refused['401'], '404': mugglePayError('No such order') } } },
    '/admin/api/orders/{order_id}/{action}': {
      post: {
        operationId: 'adminPageOrderAction',
        tags,
        summary: 'cancel, resolve, refund_pending or refunded, through the state machine, with who and why in the history',
        security: change,
        parameters: [orderId, { name: 'action', in: 'path', required: true, schema: { enum: ['cancel', 'resolve', 'refund_pending', 'refunded'] } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 }, reference: { type: 'string', maxLength: 200 } } } } } },
        responses: { '200': answer('{order, actions}'), '400': mugglePayError('No reason given'), ...refused, '404': mugglePayError('No such order or action'), '409': mugglePayError('Not possible in the order\'s status') },
      },
    },
    '/admin/api/notifications': { get: { operationId: 'adminPageNotifications', tags, summary: 'Callback URLs, failing first, and the latest events', security: read, parameters: [{ name: 'state', in: 'query', schema: { enum: ['pending', 'delivered', 'gave_up', 'failed'] } }, { name: 'url', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } }], responses: { '200': answer('{endpoints, notifications}'), '400': mugglePayError('A bad filter'), '401': refused['401'] } } },
    '/admin/api/notifications/{event_id}': { get: { operationId: 'adminPageGetNotification', tags, summary: 'One notification with its attempts', security: read, parameters: [eventId], responses: { '200': answer('{notification}'), '401': refused['401'], '404': mugglePayError('No such notification') } } },
    '/admin/api/notifications/{event_id}/resend': { post: { operationId: 'adminPageResendNotification', tags, summary: 'Send an event again (same event id and body)', security: change, parameters: [eventId], responses: { '200': answer('{notification}'), ...refused, '404': mugglePayError('No such notification') } } },
    '/admin/api/broker': { get: { operationId: 'adminPageBroker', tags, summary: 'Broker mode: balances against reservations, open orders, transfers, refunds, what needs attention', security: read, responses: { '200': answer('{balances, orders_by_status, open_orders, transfers, refunds, attention}'), '401': refused['401'] } } },
    '/openapi.json': { get: { operationId: 'getOpenApi', tags: ['operations'], summary: 'This document', description: 'Public: describes the API, holds no data.', security: [], responses: { '200': answer('OpenAPI 3.1'), '404': { description: 'Never: listed for completeness' } } } },
    '/widget/{file}': {
      get: {
        operationId: 'getWidgetScript',
        tags: ['public'],
        summary: 'The built element, mixpay-button.js (ES module) or mixpay-button.iife.js, with CORS',
        description: "Public: merchants' pages load it from any origin.",
        security: [],
        parameters: [{ name: 'file', in: 'path', required: true, schema: { enum: ['mixpay-button.js', 'mixpay-button.iife.js'] } }],
        responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } }, '404': { description: 'Not a file of the element, or not built' } },
      },
    },
  };
}

/** Adds what the merchant document lacks; every operation leaves with an operationId and a security statement. */
export function completeOpenApi<T extends Json>(doc: T): T {
  const out: Json = structuredClone(doc);
  out.info.license ??= { name: 'MIT', identifier: 'MIT' };
  out.tags ??= [
    { name: 'merchant', description: "The merchant's backend: MugglePay-compatible order API (`token` header)" },
    { name: 'public', description: 'Called by browsers and MixPay without credentials' },
    { name: 'admin', description: 'The operator, `x-admin-key` header' },
    { name: 'admin page', description: "The admin page's sign-in; the page's own JSON under /admin/api needs the session cookie and the CSRF token" },
    { name: 'broker', description: "Broker mode: MixPay's broker protocol, answered in its own envelope `{code, success, message, data}`" },
    { name: 'operations', description: 'Health and metrics' },
  ];
  Object.assign(out.components.securitySchemes, {
    metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
    adminSession: { type: 'apiKey', in: 'cookie', name: 'mixpay_admin_session', description: 'The admin page session (HttpOnly, SameSite=Strict), from POST /admin/session' },
    csrfToken: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: "The session's CSRF token, on every change" },
    webhookSignature: { type: 'apiKey', in: 'header', name: 'Mixpay-Checkout-Signature', description: 'HMAC-SHA256 with WEBHOOK_SECRET over "<t>.<raw body>"; verify with verifyWebhook' },
  });
  Object.assign(out.components.schemas, {
    BrokerEnvelope: {
      type: 'object',
      required: ['code', 'success', 'message', 'data'],
      properties: {
        code: { type: 'integer', description: '0 on success; 11000 parameter error, 11001 no permission, 11002 payment unavailable' },
        success: { type: 'boolean' },
        message: { type: 'string' },
        data: { description: 'The answer on success; `[]` on an error' },
      },
    },
    BrokerAssetRange: {
      type: 'object',
      properties: { asset_id: { type: 'string', format: 'uuid' }, min: { type: 'string' }, max: { type: 'string' }, min_usdt: { type: 'string' }, max_usdt: { type: 'string' }, fee: { type: 'string' } },
    },
    BrokerOrderLinks: { type: 'object', properties: { checkout_url: { type: 'string' }, deep_link: { type: 'string' }, universal_url: { type: 'string' } } },
    BrokerCreateOrderRequest: schemaOf(brokerCreateOrderSchema),
  });
  Object.assign(out.paths, brokerPaths(), operatorPaths(), adminPagePaths());

  for (const [path, item] of Object.entries<Json>(out.paths)) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const key = `${method} ${path}`;
      operation.operationId ??= OPERATION_IDS[key];
      if (!operation.operationId) throw new Error(`openapi: ${key} has no operationId; add it to OPERATION_IDS`);
      operation.tags ??= [path.startsWith('/admin/') ? 'admin' : operation.security ? 'merchant' : 'public'];
      if (!operation.security) {
        const why = PUBLIC_BECAUSE[key];
        if (!why) throw new Error(`openapi: ${key} has no security requirement; add one or say in PUBLIC_BECAUSE why it is public`);
        operation.security = [];
        operation.description = operation.description ? `${operation.description} ${why}` : why;
      }
    }
  }
  // MixPay's callback answers its own protocol; a body it cannot read is still answered 200.
  out.paths['/mixpay/callback'].post.responses['403'] ??= { description: 'Not from an address in MIXPAY_CALLBACK_IPS: {"code":"FORBIDDEN"}' };
  out.paths['/mixpay/callback'].post.responses['413'] ??= { description: 'Body over 16 KiB: {"code":"BODY_TOO_LARGE"}' };
  out.paths['/healthz'].get.responses['503'] ??= { description: 'not ready' };
  for (const webhook of Object.values<Json>(out.webhooks ?? {})) {
    for (const operation of Object.values<Json>(webhook)) {
      operation.operationId ??= 'orderStatusChanged';
      operation.security ??= [{ webhookSignature: [] }];
      operation.responses['400'] ??= { description: 'A signature that does not verify: answer 4xx; the event is tried again' };
    }
  }
  return out as T;
}
