/** Display formatting through Intl. Amounts stay decimal strings: nothing here computes with money. */

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Formats a decimal-string amount for display. The string itself goes to Intl.NumberFormat
 * (which formats decimal strings exactly), and the fraction digits are never fewer than the
 * amount has, so "0.00593523 BTC" is not rounded to "BTC 0.01".
 */
export function formatAmount(amount: string, currency: string, locale: string): string {
  const value = amount.trim();
  const code = currency.trim().toUpperCase();
  if (!DECIMAL.test(value)) return `${amount} ${currency}`.trim();
  const digits = (value.split('.')[1] ?? '').replace(/0+$/, '').length;
  // Intl needs a Number in its types; modern engines also take the string and keep its precision.
  const exact = value as unknown as number;
  if (isIsoCurrency(code)) {
    try {
      // The currency's own minimum (USD 2, JPY 0, KWD 3) stays; more digits show when the amount has them.
      const maximumFractionDigits = Math.min(Math.max(digits, 3), 20);
      return new Intl.NumberFormat(locale, { style: 'currency', currency: code, maximumFractionDigits }).format(exact);
    } catch {
      // not a currency Intl knows: fall through to a plain number with the code
    }
  }
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: Math.min(digits, 20) }).format(exact);
  return code ? `${number} ${code}` : number;
}

// Only ISO 4217 codes get the currency style: "BTC" and "ETH" look like codes too, but should read
// "0.5 ETH" like "2.5 USDT", not "ETH 0.5". Engines without supportedValuesOf trust the shape.
let iso: ReadonlySet<string> | undefined;
function isIsoCurrency(code: string): boolean {
  const all = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  iso ??= new Set(all ? all('currency') : []);
  return /^[A-Z]{3}$/.test(code) && (iso.size === 0 || iso.has(code));
}

/** "4:05" or "1:02:09" for a remaining time in milliseconds (never negative); a clock reads the same in every locale. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const minutes = `${Math.floor((total % 3600) / 60)}:${two(total % 60)}`;
  return total >= 3600 ? `${Math.floor(total / 3600)}:${minutes.padStart(5, '0')}` : minutes;
}
