/**
 * MixPay's memos on Mixin transfers (contracts §1): base64 of `SOURCE|TRACE|EXPAND`. A refund
 * (`RF`) names the trace_id the broker used and a reason code. Codes outside the known list are
 * kept as they are: a refund is never dropped for an unfamiliar reason.
 */
import { canonicalUuid } from './ids.ts';

export type MemoSource = 'PM' | 'WD' | 'SE' | 'RF' | 'CF';

export interface MixPayMemo {
  source: MemoSource;
  traceId: string;
  expand: string;
}

export interface RefundMemo {
  traceId: string;
  code: string;
  /** A description when the code is known, else `unknown reason <code>`. */
  reason: string;
}

const SOURCES = new Set<MemoSource>(['PM', 'WD', 'SE', 'RF', 'CF']);

/** Reasons MixPay documents by name; the other listed codes are known only by number. */
export const REFUND_REASONS: Record<string, string> = {
  '40000': 'payment overtime',
  '40025': 'too much market volatility',
};

/** Decodes a memo in MixPay's format, or null for anything else. Accepts base64 and base64url. */
export function decodeMixPayMemo(memo: string | null | undefined): MixPayMemo | null {
  if (!memo) return null;
  const trimmed = memo.trim();
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(trimmed)) return null;
  const text = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  const parts = text.split('|');
  if (parts.length < 2) return null;
  const [source, traceId, ...rest] = parts;
  const trace = canonicalUuid(traceId);
  if (!SOURCES.has(source as MemoSource) || !trace) return null;
  return { source: source as MemoSource, traceId: trace, expand: rest.join('|') };
}

/** Decodes an `RF|trace_id|code` memo, or null when the memo is not a MixPay refund. */
export function decodeRefundMemo(memo: string | null | undefined): RefundMemo | null {
  const decoded = decodeMixPayMemo(memo);
  if (!decoded || decoded.source !== 'RF') return null;
  const code = decoded.expand.trim();
  const reason = REFUND_REASONS[code] ?? (code ? `unknown reason ${code}` : 'no reason code');
  return { traceId: decoded.traceId, code, reason };
}

/** Encodes a MixPay memo (used by the sandbox to play MixPay's bot). */
export function encodeMixPayMemo(source: MemoSource, traceId: string, expand: string): string {
  return Buffer.from(`${source}|${traceId}|${expand}`, 'utf8').toString('base64');
}
