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

/** Thrown for parameters that would make a broken link. */
export class PayLinkError extends Error {
  override name = 'PayLinkError';
}

/** Builds a plain pay link; parameters in seed 002's order, empty ones left out. */
export function buildPayLink(params: PayLinkParams, base: string = DEFAULT_PAY_BASE): string {
  if (!params.payeeId.trim()) throw new PayLinkError('payee-id is required');
  if (params.quoteAmount && !/^\d+(\.\d+)?$/.test(params.quoteAmount.trim())) {
    throw new PayLinkError(`quote-amount must be a decimal number such as "5" or "2.50", not ${JSON.stringify(params.quoteAmount)}`);
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

/** A random UUID (v4) for `traceId`, also outside secure contexts where randomUUID is missing. */
export function randomTraceId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
