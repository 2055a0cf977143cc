/** The `payments_result` view of a sandbox payment, field for field as contracts §1 lists them. */
import Big from 'big.js';
import type { PaymentResult } from '../../mixpay/types.ts';
import { symbolOf } from './assets.ts';
import {
  REQUIRED_CONFIRMS,
  isFullyPaid,
  payableAmountOf,
  paymentAssetOf,
  totalPaidOf,
  type SandboxPayment,
  type SandboxTransaction,
} from './payment.ts';

export interface ResultIncludes {
  payment: boolean;
  transactions: boolean;
}

/** `with=payment,transactions` → both; unknown words are ignored, as extra query words usually are. */
export function parseIncludes(withParam: string | undefined): ResultIncludes {
  const words = new Set((withParam ?? '').split(',').map((word) => word.trim()));
  return { payment: words.has('payment'), transactions: words.has('transactions') };
}

export function paymentResultOf(payment: SandboxPayment, include: ResultIncludes): PaymentResult {
  const paid = payment.transactions.length > 0;
  const total = totalPaidOf(payment);
  const payable = payableAmountOf(payment);
  const asset = paymentAssetOf(payment);
  const surplus = new Big(total).minus(payable);
  const last = payment.transactions.at(-1);
  const result: PaymentResult = {
    status: payment.status,
    quoteAmount: payment.reported.quoteAmount,
    quoteSymbol: symbolOf(payment.reported.quoteAssetId),
    quoteAssetId: payment.reported.quoteAssetId,
    // Before any payment the payment fields are empty; after, paymentAmount is what was sent in all.
    paymentAmount: paid ? total : '',
    paymentSymbol: paid ? symbolOf(asset) : '',
    paymentAssetId: paid ? asset : '',
    payee: `Sandbox payee ${payment.reported.payeeId.slice(0, 8)}`,
    payeeId: payment.reported.payeeId,
    payeeMixinNumber: '7000000000',
    txid: last?.txid ?? '',
    blockExplorerUrl: last ? explorerUrl(last) : '',
    date: payment.date,
    surplusAmount: paid ? (surplus.gt(0) ? surplus.toFixed() : '0') : '',
    surplusStatus: paid && surplus.gt(0) ? 'pending' : 'no',
    confirmations: payment.status === 'pending' && last ? last.confirmations : -1,
    payableAmount: paid ? payable : '',
    payableAssetId: paid ? asset : '',
    failureCode: payment.failureCode,
    failureReason: payment.failureReason,
    // MixPay's docs: success returns `returnTo`, failed returns `failedReturnTo`.
    returnTo: (payment.status === 'success' ? payment.request.returnTo : payment.status === 'failed' ? payment.request.failedReturnTo : '') ?? '',
    traceId: payment.traceId,
    settleStatus: payment.settleStatus,
    settleAmount: payment.settleAmount,
    settleSymbol: payment.settleAmount ? symbolOf(payment.request.settlementAssetId) : '',
    settleAsset: payment.settleAmount ? payment.request.settlementAssetId : '',
  };
  if (include.payment) {
    result.payment = {
      isMultiPay: payment.multiPay,
      isFullyPaid: paid && (payment.status === 'success' || isFullyPaid(payment)),
      totalTransactionsAmount: total,
    };
  }
  if (include.transactions) {
    result.transactions = payment.transactions.map((tx) => ({
      paymentAmount: tx.paymentAmount,
      paymentAssetId: tx.paymentAssetId,
      requiredConfirms: REQUIRED_CONFIRMS,
      confirmations: tx.confirmations,
      txid: tx.txid,
      blockExplorerUrl: explorerUrl(tx),
      broadcastAt: tx.broadcastAt,
      confirmSeconds: tx.confirmations >= REQUIRED_CONFIRMS ? 30 : 0,
    }));
  }
  return result;
}

function explorerUrl(tx: SandboxTransaction): string {
  return `https://viewblock.io/mixin/tx/${tx.txid}`;
}
