/**
 * Plain MixPay pay links (seed 002): `https://mixpay.me/pay?payeeId=...`. Anyone can edit such a
 * link in the address bar, so it is never proof of a price: donations and tips only.
 */

/** The documented production base of plain pay links. */
export const DEFAULT_PAY_BASE = 'https://mixpay.me/pay';

export interface PayLinkParams {
  payeeId: string;
  quoteAmount?: string | undefined;
  quoteAssetId?: string | undefined;
  settlementAssetId?: string | undefined;
  traceId?: string | undefined;
  remark?: string | undefined;
}

/** Builds a plain pay link; parameters in seed 002's order, empty ones left out. */
export function buildPayLink(params: PayLinkParams, base: string = DEFAULT_PAY_BASE): string {
  if (!params.payeeId.trim()) throw new Error('payee-id is required');
  if (params.quoteAmount && !/^\d+(\.\d+)?$/.test(params.quoteAmount.trim())) {
    throw new Error(`quote-amount must be a decimal such as 2.50, not ${params.quoteAmount}`);
  }
  const url = new URL(base);
  const entries: Array<[string, string | undefined]> = [
    ['payeeId', params.payeeId],
    ['settlementAssetId', params.settlementAssetId],
    ['quoteAssetId', params.quoteAssetId],
    ['quoteAmount', params.quoteAmount],
    ['traceId', params.traceId],
    ['remark', params.remark],
  ];
  for (const [key, value] of entries) {
    if (value?.trim()) url.searchParams.set(key, value.trim());
  }
  return url.href;
}

/**
 * A random UUID for `traceId` (it makes MixPay refuse a second payment of the same link), or
 * undefined outside secure contexts, where browsers lack randomUUID: the parameter is optional.
 */
export function randomTraceId(): string | undefined {
  return globalThis.crypto?.randomUUID?.();
}
