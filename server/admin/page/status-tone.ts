/** Which colour a status, verdict or delivery outcome gets: good, bad, waiting or plain. */
export type Tone = 'good' | 'bad' | 'wait' | 'plain';

export function toneOfStatus(status: string): Tone {
  if (status === 'PAID' || status === 'RESOLVED' || status === 'REFUNDED') return 'good';
  if (status === 'FAILED' || status === 'EXPIRED' || status === 'CANCELED') return 'bad';
  if (status === 'PENDING' || status === 'UNRESOLVED' || status === 'REFUND_PENDING') return 'wait';
  return 'plain';
}

export function toneOfOutcome(outcome: string): Tone {
  if (outcome === 'delivered') return 'good';
  if (outcome === 'gave_up' || outcome === 'failed' || outcome === 'rejected' || outcome === 'unreachable' || outcome === 'mismatch') return 'bad';
  if (outcome === 'pending') return 'wait';
  return 'plain';
}
