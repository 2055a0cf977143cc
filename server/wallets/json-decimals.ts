/**
 * JSON with decimal amounts written as JSON numbers from their exact text. Binance documents
 * `orderAmount` and MugglePay `price_amount` as numbers; a decimal string must not pass through a
 * float on the way ("10.10000001" stays exactly that on the wire).
 */
export const DECIMAL_PLACEHOLDER = '__DECIMAL__';

/** `value` with each `"key":"__DECIMAL__"` replaced by the bare number in `decimals[key]`. */
export function jsonWithDecimals(value: Record<string, unknown>, decimals: Record<string, string>): string {
  let text = JSON.stringify(value);
  for (const [key, amount] of Object.entries(decimals)) {
    if (!/^\d+(\.\d+)?$/.test(amount)) throw new Error(`${key} is not a decimal: ${amount}`);
    text = text.replace(`"${key}":"${DECIMAL_PLACEHOLDER}"`, `"${key}":${amount}`);
  }
  return text;
}
