/** Every string the element shows. Each locale file provides all of them (the compiler checks). */
export interface Strings {
  /** The button's label (also the dialog's heading). */
  pay: string;
  close: string;
  creating: string;
  awaiting: string;
  expiresIn: (time: string) => string;
  pending: string;
  /** Confirmation progress while pending: `n` of the `m` the network needs. */
  confirms: (n: string, m: string) => string;
  paidLess: (due: string) => string;
  payRest: string;
  paid: string;
  /** The button's label once the order is paid. */
  paidMark: string;
  /** The server refused the checkout for now; `time` is the countdown to the next attempt. */
  busy: (time: string) => string;
  price: string;
  paidSoFar: string;
  paidAmount: string;
  orderId: string;
  time: string;
  /** The receipt's label for the transaction(s) that paid (a block explorer link). */
  transaction: string;
  failed: string;
  failedReason: (reason: string) => string;
  expired: string;
  canceled: string;
  refundPending: string;
  refunded: string;
  newCheckout: string;
  unreachable: string;
  retry: string;
  error: string;
  unsafeLink: string;
  scan: string;
  openCheckout: string;
  openWallet: string;
  openInBrowser: string;
  linkOnly: string;
  amount: string;
  payee: string;
  paymentLink: string;
  copyLink: string;
  copyAmount: string;
  copied: string;
  qrLabel: (amount: string, payee: string) => string;
}
