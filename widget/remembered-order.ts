/**
 * The open order an element created, remembered for the tab (sessionStorage) so that coming back
 * (Back, reload, a duplicated tab) follows that order instead of minting a second one for the same
 * purchase. Where storage is blocked (private modes, sandboxed frames) it lives in memory: lost on
 * reload, still one order per purchase while the page lives.
 */
const memory = new Map<string, string>();

/** The key of a purchase: the server and the product, or the merchant's order. */
export function purchaseKey(server: string, product: string, orderId: string): string {
  return `mixpay:${server.trim().replace(/\/+$/, '')}|${product || '#' + orderId}`;
}

/** The remembered order id of a purchase, or null. */
export function recallOrder(key: string): string | null {
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(key);
  } catch {
    // storage blocked: memory only
  }
  return stored ?? memory.get(key) ?? null;
}

/** Forgets the order of a purchase (it failed or expired: the next click is a new purchase). */
export function forgetOrder(key: string): void {
  memory.delete(key);
  try {
    sessionStorage.removeItem(key);
  } catch {
    // storage blocked: memory only
  }
}

/** Remembers the order of a purchase. */
export function rememberOrder(key: string, orderId: string): void {
  try {
    sessionStorage.setItem(key, orderId);
  } catch {
    memory.set(key, orderId); // storage blocked or full: memory only
  }
}
