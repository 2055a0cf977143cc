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
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      const plain = new Intl.NumberFormat(locale, { style: 'currency', currency: code });
      const { minimumFractionDigits = 2 } = plain.resolvedOptions();
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: code,
        minimumFractionDigits,
        maximumFractionDigits: Math.min(Math.max(minimumFractionDigits, digits), 20),
      }).format(exact);
    } catch {
      // not a currency Intl knows: fall through to a plain number with the code
    }
  }
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: Math.min(digits, 20) }).format(exact);
  return code ? `${number} ${code}` : number;
}

/** "4:05" or "1:02:09" for a remaining time in milliseconds (never negative). */
export function formatCountdown(ms: number, locale: string): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
  const one = new Intl.NumberFormat(locale, { useGrouping: false });
  return hours > 0
    ? `${one.format(hours)}:${two.format(minutes)}:${two.format(seconds)}`
    : `${one.format(minutes)}:${two.format(seconds)}`;
}
