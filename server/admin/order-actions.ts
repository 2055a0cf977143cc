/**
 * What an operator may do to an order from the admin page. Every action goes through the
 * merchant's one enforced transition (transitionOrder: the state machine's table, the version
 * compare-and-set, the history row and the queued notification in one transaction); the history
 * row names who did it and why.
 */
import type { MerchantDeps } from '../merchant/deps.ts';
import { MerchantApiError } from '../merchant/api-errors.ts';
import { canCancel, canTransition } from '../merchant/order-state.ts';
import { findOrder, transitionOrder, type Order } from '../merchant/order-store.ts';
import type { OrderStatus } from '../store/schema.ts';

export type OrderAction = 'cancel' | 'resolve' | 'refund_pending' | 'refunded';

export interface ActionInput {
  /** The signed-in operator's name. */
  by: string;
  /** Why, in the operator's words; required for all but cancel. */
  reason: string;
  /** For refunds: the wallet transfer or ticket that carried the money back. */
  reference?: string | undefined;
}

/** The actions the order's status allows now; the page shows only these. */
export function actionsFor(status: OrderStatus): OrderAction[] {
  const actions: OrderAction[] = [];
  if (canCancel(status)) actions.push('cancel');
  if (status === 'UNRESOLVED' && canTransition(status, 'RESOLVED')) actions.push('resolve');
  if (canTransition(status, 'REFUND_PENDING')) actions.push('refund_pending', 'refunded');
  if (status === 'REFUND_PENDING') actions.push('refunded');
  return actions;
}

/**
 * The transitions an action makes. A refund recorded as done on a PAID order passes through
 * REFUND_PENDING, so the history (and the merchant's notifications) show both steps.
 */
function stepsOf(action: OrderAction, status: OrderStatus): OrderStatus[] {
  switch (action) {
    case 'cancel':
      return ['CANCELED'];
    case 'resolve':
      return ['RESOLVED'];
    case 'refund_pending':
      return ['REFUND_PENDING'];
    case 'refunded':
      return status === 'PAID' ? ['REFUND_PENDING', 'REFUNDED'] : ['REFUNDED'];
  }
}

export async function applyOrderAction(deps: Pick<MerchantDeps, 'store' | 'now' | 'bus' | 'log'>, orderId: string, action: OrderAction, input: ActionInput): Promise<Order> {
  const db = deps.store.db;
  let order = await findOrder(db, orderId);
  if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
  if (!actionsFor(order.status).includes(action)) {
    throw new MerchantApiError(409, 'ACTION_NOT_ALLOWED', `${action} is not possible on a ${order.status} order`);
  }
  if (action !== 'cancel' && !input.reason.trim()) throw new MerchantApiError(400, 'PARAMETERS_MISSING', 'missing reason: say why, it goes into the order history');
  const detail = { by: input.by, via: 'admin page', reason: input.reason.trim() || null, ...(input.reference ? { reference: input.reference } : {}) };
  for (const to of stepsOf(action, order.status)) {
    const result = await transitionOrder(db, order.id, to, `admin:${action}`, {}, detail, deps.now());
    if (!result.changed) {
      throw new MerchantApiError(409, 'ACTION_NOT_ALLOWED', `the order moved to ${result.order.status} meanwhile; ${action} was not applied`);
    }
    order = result.order;
  }
  deps.bus.publish(order.id);
  deps.log(`admin: ${input.by} applied ${action} to order ${order.id}`);
  return order;
}
