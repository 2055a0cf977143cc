/**
 * A conservative client-side model of a server's MixPay call budget (today a token bucket of 50
 * calls a minute with a burst of 9, kept in its database), fed with the calls a benchmark makes
 * it spend, so the benchmark can wait *before* it starts a payment instead of letting a
 * callback's check wait for a token inside the time it measures. A more generous budget only
 * makes the model wait more than needed.
 */
const CAPACITY = 9;
const PER_MS = 50 / 60_000;
/** The sandbox sends a `settle` callback this long after a success; the server checks it too. */
export const SETTLE_CALLBACK_MS = 3000;

export class BudgetModel {
  private level = CAPACITY;
  private at = Date.now();
  /** Times of calls already caused but still to come (settle callbacks). */
  private later: number[] = [];

  /** Records one call at `at` (default now); a time in the future is a call still to come. */
  spend(at = Date.now()): void {
    if (at > Date.now()) this.later.push(at);
    else {
      this.advance(at);
      this.level -= 1;
    }
  }

  /** Milliseconds to wait until `calls` calls fit, beside every call still to come. */
  waitFor(calls: number): number {
    const now = Date.now();
    this.advance(now);
    const need = calls + this.later.filter((t) => t > now).length;
    return this.level >= need ? 0 : Math.ceil((need - this.level) / PER_MS);
  }

  private advance(to: number): void {
    // Calls still to come that have come by now, each after the refill up to its moment.
    const due = this.later.filter((t) => t <= to).sort((a, b) => a - b);
    this.later = this.later.filter((t) => t > to);
    for (const t of due) {
      this.refill(t);
      this.level -= 1;
    }
    this.refill(to);
  }

  private refill(to: number): void {
    if (to <= this.at) return;
    this.level = Math.min(CAPACITY, this.level + (to - this.at) * PER_MS);
    this.at = to;
  }
}
