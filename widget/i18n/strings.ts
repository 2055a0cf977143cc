/** Every string the element shows. Each locale file provides all of them (the compiler checks). */
export interface Strings {
  /** The button's label (also the dialog's heading). */
  pay: string;
  close: string;
  creating: string;
  awaiting: string;
  expiresIn: (time: string) => string;
  pending: string;
  paidLess: (due: string) => string;
  payRest: string;
  paid: string;
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
  copied: string;
  qrLabel: (amount: string, payee: string) => string;
}
