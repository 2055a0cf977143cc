/** Entry of the admin page's script (dist/admin/admin.js): defines its elements once. */
import { AdminBroker } from './admin-broker.ts';
import { AdminNotifications } from './admin-notifications.ts';
import { AdminOrder } from './admin-order.ts';
import { AdminOrders } from './admin-orders.ts';
import { MixpayAdmin } from './mixpay-admin.ts';

const elements: Array<[string, CustomElementConstructor]> = [
  ['mixpay-admin', MixpayAdmin],
  ['mixpay-admin-orders', AdminOrders],
  ['mixpay-admin-order', AdminOrder],
  ['mixpay-admin-notifications', AdminNotifications],
  ['mixpay-admin-broker', AdminBroker],
];
for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element);

declare global {
  interface HTMLElementTagNameMap {
    'mixpay-admin': MixpayAdmin;
    'mixpay-admin-orders': AdminOrders;
    'mixpay-admin-order': AdminOrder;
    'mixpay-admin-notifications': AdminNotifications;
    'mixpay-admin-broker': AdminBroker;
  }
}
