/**
 * What the customer sees of a payment beyond its status (issue 9): how far the transaction being
 * confirmed is (`n of m` while MixPay reports the payment pending) and the transactions that paid
 * (txid and block explorer link, for the receipt). Read from payments_result `with=transactions`;
 * every value from upstream is checked before it is stored, so the browser only ever receives an
 * http(s) link.
 */
import type { PaymentResult } from '../mixpay/types.ts';
import type { Order, OrderPatch } from './order-store.ts';

/** One transaction as an order keeps it and the status document shows it. */
export interface PaymentTransaction {
  txid: string;
  /** The block explorer page; null when MixPay gave none or one that is not an http(s) URL. */
  explorer_url: string | null;
}

/** At most this many transactions are kept per order (a multi-pay has a few). */
const MAX_TRANSACTIONS = 10;

/** An http(s) URL of at most 2000 characters, as given, or null. */
export function httpUrlOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && !url.username && !url.password ? url.href : null;
  } catch {
    return null;
  }
}

const count = (value: unknown): number | null => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null);

/** The transactions of a result, checked; the top-level txid alone when the list is missing. */
export function transactionsOf(result: PaymentResult): PaymentTransaction[] {
  const listed = Array.isArray(result.transactions) ? result.transactions : [{ txid: result.txid, blockExplorerUrl: result.blockExplorerUrl }];
  const kept: PaymentTransaction[] = [];
  for (const tx of listed) {
    const txid = typeof tx?.txid === 'string' ? tx.txid.trim() : '';
    if (!/^[\x21-\x7e]{1,200}$/.test(txid) || kept.some((k) => k.txid === txid)) continue;
    kept.push({ txid, explorer_url: httpUrlOrNull(tx.blockExplorerUrl) });
  }
  return kept.slice(-MAX_TRANSACTIONS);
}

/**
 * Confirmations while the result is pending: of the first transaction still short of its
 * required count (the last one when all have them); the top-level count alone says nothing of
 * how many are needed, so without a transaction list there is no `n of m`.
 */
export function confirmationsOf(result: PaymentResult): { confirmations: number; required: number } | null {
  if (result.status !== 'pending' && result.status !== 'auditing') return null;
  const checked = (Array.isArray(result.transactions) ? result.transactions : [])
    .map((tx) => ({ confirmations: count(tx?.confirmations), required: count(tx?.requiredConfirms) }))
    .filter((tx): tx is { confirmations: number; required: number } => tx.confirmations !== null && tx.required !== null && tx.required > 0);
  return checked.find((tx) => tx.confirmations < tx.required) ?? checked.at(-1) ?? null;
}

/** The fields that differ from what the order holds; empty when the result brings nothing new. */
export function progressPatch(order: Order, result: PaymentResult): OrderPatch {
  const patch: OrderPatch = {};
  const progress = confirmationsOf(result);
  const confirmations = progress?.confirmations ?? null;
  const required = progress?.required ?? null;
  if (confirmations !== (order.confirmations ?? null)) patch.confirmations = confirmations;
  if (required !== (order.required_confirms ?? null)) patch.required_confirms = required;
  const transactions = transactionsOf(result);
  // A result that lists none (an unpaid link) keeps what was seen before.
  const stored = transactions.length ? JSON.stringify(transactions) : (order.payment_transactions ?? null);
  if (stored !== (order.payment_transactions ?? null)) patch.payment_transactions = stored;
  return patch;
}

/** The stored transactions, as the status document shows them. */
export function storedTransactions(value: string | null | undefined): PaymentTransaction[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as PaymentTransaction[]) : [];
  } catch {
    return [];
  }
}
