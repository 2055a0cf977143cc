import { fixture, html, waitUntil } from '@open-wc/testing';
import '../../widget/index.ts';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import type { Environment } from '../../widget/choose-link.ts';
import { SERVER } from './fake-server.ts';

export const DESKTOP: Environment = { form: 'desktop', walletScheme: null, inAppBrowser: null };
export const PHONE: Environment = { form: 'phone', walletScheme: null, inAppBrowser: null };

export function shadow(el: MixpayButton): ShadowRoot {
  return el.shadowRoot!;
}
export function button(el: MixpayButton): HTMLButtonElement {
  return shadow(el).querySelector('button[part~=button]')!;
}
export function dialog(el: MixpayButton): HTMLDialogElement | null {
  return shadow(el).querySelector('dialog');
}
/** The status line inside the dialog, as the customer reads it. */
export function dialogStatus(el: MixpayButton): string {
  return dialog(el)?.querySelector('[part~=status]')?.textContent?.trim() ?? '';
}
/** The live region next to the button. */
export function outerStatus(el: MixpayButton): string {
  return shadow(el).querySelector(':host > [part~=status], .outer-status')?.textContent?.trim() ?? '';
}
export function dialogText(el: MixpayButton): string {
  return (dialog(el)?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
export function buttonsIn(el: MixpayButton): HTMLButtonElement[] {
  return [...(dialog(el)?.querySelectorAll('button') ?? [])];
}
export function dialogButton(el: MixpayButton, label: string): HTMLButtonElement | undefined {
  return buttonsIn(el).find((b) => b.textContent?.trim() === label);
}

/** A `<mixpay-button>` for a product on the fake server, with the environment fixed. */
export async function productButton(env: Environment = DESKTOP, attrs = ''): Promise<MixpayButton> {
  const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER + '/'} product="coffee"></mixpay-button>`);
  el.environment = env;
  if (attrs) for (const [k, v] of new URLSearchParams(attrs)) el.setAttribute(k, v);
  await el.updateComplete;
  return el;
}

/** Clicks the button and waits until the dialog shows `text`. */
export async function clickAndWait(el: MixpayButton, predicate: () => boolean, message: string): Promise<void> {
  button(el).click();
  await waitUntil(predicate, message, { timeout: 3000 });
  await el.updateComplete;
}

/** Collects the element's events of one name. */
export function record<K extends keyof GlobalEventHandlersEventMap>(target: EventTarget, name: K): Array<GlobalEventHandlersEventMap[K]> {
  const seen: Array<GlobalEventHandlersEventMap[K]> = [];
  target.addEventListener(name, (event) => seen.push(event as GlobalEventHandlersEventMap[K]));
  return seen;
}
