/** The sandbox MugglePay's orders, and the single place that changes them; each paid or refunded order calls back. */
import { randomUUID } from 'node:crypto';
import type { CallbackSender } from './callbacks.ts';
import type { CreateOrderRequest, MugglePaySandboxOrder } from './order.ts';

export class MugglePayBook {
  readonly orders = new Map<string, MugglePaySandboxOrder>();

  constructor(
    private readonly callbacks: CallbackSender,
    private readonly now: () => number,
  ) {}

  /** The order with this id, when it belongs to the caller's API key. */
  ownedBy(apiKey: string, orderId: string): MugglePaySandboxOrder | undefined {
    const order = this.orders.get(orderId);
    return order?.apiKey === apiKey ? order : undefined;
  }

  create(apiKey: string, request: CreateOrderRequest): MugglePaySandboxOrder {
    const at = new Date(this.now());
    const order: MugglePaySandboxOrder = {
      ...request, order_id: randomUUID(), apiKey, pay_amount: request.price_amount, status: 'NEW',
      created_at: at.toISOString(), created_ms: at.getTime(), updated_at: at.toISOString(), callbacks: [],
    };
    this.orders.set(order.order_id, order);
    return order;
  }

  pay(order: MugglePaySandboxOrder): void {
    if (order.status !== 'NEW') return;
    order.status = 'PAID';
    order.updated_at = new Date(this.now()).toISOString();
    this.callbacks.send(order);
  }

  /** Only NEW orders can be cancelled; false otherwise. */
  cancel(order: MugglePaySandboxOrder): boolean {
    if (order.status !== 'NEW') return false;
    order.status = 'CANCELED';
    return true;
  }

  /** Only PAID orders can be refunded; false otherwise. */
  refund(order: MugglePaySandboxOrder): boolean {
    if (order.status !== 'PAID') return false;
    order.status = 'REFUNDED';
    order.updated_at = new Date(this.now()).toISOString();
    this.callbacks.send(order);
    return true;
  }
}
