/** Every string the element shows. Each locale file provides all of them (the compiler checks). */
export interface Strings {
  dialogTitle: string;
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

export const en: Strings = {
  dialogTitle: 'Pay with MixPay',
  close: 'Close',
  creating: 'Creating your checkout…',
  awaiting: 'Waiting for your payment',
  expiresIn: (time) => `Expires in ${time}`,
  pending: 'Payment received, waiting for network confirmations',
  paidLess: (due) => `Paid less than the price. Still due: ${due}`,
  payRest: 'Pay the rest',
  paid: 'Paid. Thank you!',
  failed: 'Payment failed',
  failedReason: (reason) => `Payment failed: ${reason}`,
  expired: 'This checkout has expired',
  canceled: 'This checkout was canceled',
  refundPending: 'A refund is on its way',
  refunded: 'This payment was refunded',
  newCheckout: 'Start a new checkout',
  unreachable: 'Cannot reach the payment server. Retrying…',
  retry: 'Retry now',
  error: 'The checkout could not be started',
  unsafeLink: 'The payment link was refused because it is not safe to open',
  scan: 'Scan with a wallet app or your phone camera',
  openCheckout: 'Open checkout',
  openWallet: 'Open wallet',
  openInBrowser: 'To pay with a wallet app, open this page in your browser (use the ⋯ menu), or scan the QR code with another phone.',
  linkOnly: 'Scan the code or open the link to pay',
  amount: 'Amount',
  payee: 'Payee',
  paymentLink: 'Payment link',
  copyLink: 'Copy link',
  copied: 'Copied',
  qrLabel: (amount, payee) => `QR code to pay ${amount} to ${payee}`,
};
