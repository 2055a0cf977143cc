/** MixPay public API shapes (contracts §1). Amounts are decimal strings. */

export interface Envelope<T> {
  code: number;
  success: boolean;
  message: string;
  data: T;
  timestampMs?: number;
}

export type CallbackEvent = 'success' | 'fail' | 'pending' | 'paid_less' | 'settle';

export interface OneTimePaymentRequest {
  payeeId: string;
  quoteAmount: string;
  quoteAssetId: string;
  settlementAssetId: string;
  orderId?: string;
  traceId?: string;
  paymentAssetId?: string;
  remark?: string;
  settlementMemo?: string;
  returnTo?: string;
  failedReturnTo?: string;
  callbackUrl?: string;
  /** Pipe-separated events, e.g. `success|fail|pending|paid_less|settle`. */
  callbackEvent?: string;
  /** Unix seconds; more than 10 s and less than 2880 minutes ahead. */
  expiredTimestamp?: number;
  strictMode?: boolean;
}

export interface OneTimePaymentResult {
  code: string;
}

/** `auditing` is treated as pending (contracts §1). */
export type PaymentStatus = 'unpaid' | 'pending' | 'success' | 'failed' | 'auditing';

export interface PaymentResult {
  status: PaymentStatus;
  quoteAmount: string;
  quoteSymbol: string;
  quoteAssetId: string;
  paymentAmount: string;
  paymentSymbol: string;
  paymentAssetId: string;
  payee: string;
  payeeId: string;
  payeeMixinNumber: string;
  txid: string;
  blockExplorerUrl: string;
  date: number;
  surplusAmount: string;
  surplusStatus: 'no' | 'pending' | 'sending' | 'success';
  confirmations: number;
  payableAmount: string;
  payableAssetId: string;
  failureCode: string;
  failureReason: string;
  returnTo: string;
  traceId: string;
  settleStatus: 'pending' | 'success' | '';
  settleAmount: string;
  settleSymbol: string;
  settleAsset: string;
  payment?: { isMultiPay: boolean; isFullyPaid: boolean; totalTransactionsAmount: string };
  transactions?: Array<{
    paymentAmount: string;
    paymentAssetId: string;
    requiredConfirms: number;
    confirmations: number;
    txid: string;
    blockExplorerUrl: string;
    broadcastAt: number;
    confirmSeconds: number;
  }>;
}

export type PaymentResultQuery = { traceId: string } | { orderId: string; payeeId: string };
