/**
 * How the sandbox checkout calls the broker, as MixPay would (seed 000 §2), and reads its
 * envelope `{code, message, data}` without trusting it: a call that fails, or answers something
 * else, becomes code -1 with the reason, for the page to show.
 */
export interface BrokerAnswer {
  status: number;
  body: { code: number; message: string; data: unknown };
}

/** One row of `assets/range` as the page shows it. */
export interface AssetRange {
  asset_id: string;
  min: string;
  max: string;
  fee: string;
}

/** What `create_order` answers on success. */
export interface OrderLinks {
  checkout_url: string;
  deep_link: string;
  universal_url: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function callBroker(fetchImpl: typeof fetch, url: string, init?: RequestInit): Promise<BrokerAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(15_000) });
    text = await response.text();
  } catch (error) {
    return { status: 0, body: { code: -1, message: (error as Error).message, data: [] } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: response.status, body: { code: -1, message: `not JSON: ${text.slice(0, 200)}`, data: [] } };
  }
  if (!isRecord(parsed) || typeof parsed.code !== 'number') return { status: response.status, body: { code: -1, message: `not the broker envelope: ${text.slice(0, 200)}`, data: [] } };
  return { status: response.status, body: { code: parsed.code, message: typeof parsed.message === 'string' ? parsed.message : '', data: parsed.data } };
}

/** The rows of an `assets/range` answer that have the fields the page needs. */
export function assetRanges(data: unknown): AssetRange[] {
  if (!Array.isArray(data)) return [];
  return data.filter(isRecord).flatMap((row) =>
    typeof row.asset_id === 'string' && typeof row.min === 'string' && typeof row.max === 'string' && typeof row.fee === 'string'
      ? [{ asset_id: row.asset_id, min: row.min, max: row.max, fee: row.fee }]
      : [],
  );
}

/** The links of a successful `create_order`, or null. */
export function orderLinks(answer: BrokerAnswer): OrderLinks | null {
  const data = answer.body.data;
  if (answer.body.code !== 0 || !isRecord(data) || typeof data.checkout_url !== 'string') return null;
  return { checkout_url: data.checkout_url, deep_link: typeof data.deep_link === 'string' ? data.deep_link : '', universal_url: typeof data.universal_url === 'string' ? data.universal_url : '' };
}
