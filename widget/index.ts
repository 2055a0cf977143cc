/**
 * Entry point: defines `<mixpay-button>` (unless the page already has an element by that name)
 * and exports its class and public types. Importing the class file alone defines nothing.
 */
import { MixpayButton } from './mixpay-button.ts';

export { MixpayButton };
export type { Environment, LinkChoice, LinkKind, PaymentLinks } from './choose-link.ts';
export type { OrderStatus, OrderStatusName } from './order-status.ts';
export type {
  MixpayOpenDetail, MixpayStatusDetail, MixpayFailedDetail, MixpayErrorDetail, MixpayErrorCode, MixpayEventMap,
} from './events.ts';

// Only where there is a custom element registry (a browser); the package's `node` export
// condition gives Node and server-side renderers a module that defines nothing.
if (typeof customElements !== 'undefined' && !customElements.get('mixpay-button')) customElements.define('mixpay-button', MixpayButton);

declare global {
  interface HTMLElementTagNameMap {
    'mixpay-button': MixpayButton;
  }
}
