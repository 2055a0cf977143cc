/** Symbols for the few assets a sandbox user is likely to quote in; the sandbox prices all of them 1:1. */

const KNOWN_SYMBOLS: Record<string, string> = {
  'c6d0c728-2624-429b-8e0d-d9d19b6592fa': 'BTC',
  '43d61dcd-e413-450d-80b8-101d5e903357': 'ETH',
  '4d8c508b-91c5-375b-92b0-ee702ed2dac5': 'USDT',
  'b91e18ff-a9ae-3dc7-8679-e935d9a4b34b': 'USDT',
  '9b180ab6-6abe-3dc0-a13f-04169eb34bfa': 'USDC',
  '31d2ea9c-95eb-3355-b65b-ba096853bc18': 'pUSD',
  'c94ac88f-4671-3976-b60a-09064f1811e8': 'XIN',
  '965e5c6e-434c-3fa9-b780-c50f43cd955c': 'CNB',
};

/** `usd` → "USD"; a known asset UUID → its symbol; anything else → "ASSET". */
export function symbolOf(assetId: string): string {
  const known = KNOWN_SYMBOLS[assetId.toLowerCase()];
  if (known) return known;
  // Fiat quote assets are lowercase ISO codes (contracts §1: `usd`).
  if (/^[a-z]{3}$/i.test(assetId)) return assetId.toUpperCase();
  return 'ASSET';
}
