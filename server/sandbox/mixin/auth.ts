/**
 * How the sandbox's Mixin checks a bot's request the way api.mixin.one does (contracts §3): an
 * EdDSA JWT whose `sig` claim is sha256(METHOD + path-with-query + body), whose `jti` is the
 * request's `X-Request-Id`, with `scp: FULL` and a live `iat`/`exp`; and a PIN encrypted to the
 * server's key. Pure functions over the request's parts; no I/O.
 */
import { createDecipheriv, createHash, createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { edwards25519 } from '@mixin.dev/mixin-node-sdk';
import { isUuid } from '../../core/ids.ts';

export interface RegisteredSession {
  app_id: string;
  session_id: string;
  /** Hex Ed25519 public key of the session. */
  session_public_key: string;
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519PublicKey(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

export function ed25519PrivateKey(seedHex: string): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
}

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/**
 * The paths a request may have been signed over: the real API is at the host's root, the sandbox
 * under a prefix, so each suffix of the path that starts at a segment is a candidate.
 */
function signedPathCandidates(pathWithQuery: string): string[] {
  const candidates = [pathWithQuery];
  let rest = pathWithQuery;
  for (;;) {
    const next = rest.indexOf('/', 1);
    const query = rest.indexOf('?');
    if (next < 0 || (query >= 0 && next > query)) break;
    rest = rest.slice(next);
    candidates.push(rest);
  }
  return candidates;
}

export type AuthResult = { ok: true; session: RegisteredSession } | { ok: false; reason: string };

/** The parts of one request that its JWT vouches for. */
export interface SignedRequest {
  authorization: string | undefined;
  /** The `X-Request-Id` header, which must equal the token's `jti`. */
  requestId: string | undefined;
  method: string;
  pathWithQuery: string;
  body: string;
}

/** The scope a bot's own session token carries (contracts §3); OAuth scopes are not the sandbox's. */
export const BOT_SCOPE = 'FULL';

/** How far ahead of the sandbox's clock a token's `iat` may be (unconfirmed: Mixin documents none). */
export const CLOCK_SKEW_SECONDS = 60;

interface Claims {
  uid?: unknown;
  sid?: unknown;
  iat?: unknown;
  exp?: unknown;
  jti?: unknown;
  sig?: unknown;
  scp?: unknown;
}

/** Verifies `Authorization: Bearer <jwt>` for one request: key, time, scope, request id and `sig`. */
export function verifyMixinRequest(request: SignedRequest, sessions: Map<string, RegisteredSession>, nowSeconds: number): AuthResult {
  const token = request.authorization?.match(/^Bearer\s+(.+)$/)?.[1];
  if (!token) return { ok: false, reason: 'no bearer token' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'token is not a JWT' };
  let header: { alg?: unknown };
  let claims: Claims;
  try {
    header = JSON.parse(base64url(parts[0]!).toString('utf8'));
    claims = JSON.parse(base64url(parts[1]!).toString('utf8'));
  } catch {
    return { ok: false, reason: 'token is not JSON' };
  }
  if (header.alg !== 'EdDSA') return { ok: false, reason: `alg ${String(header.alg)} is not EdDSA` };
  const session = typeof claims.uid === 'string' ? sessions.get(claims.uid) : undefined;
  if (!session || session.session_id !== claims.sid) return { ok: false, reason: 'unknown app or session' };
  const signed = verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), ed25519PublicKey(session.session_public_key), base64url(parts[2]!));
  if (!signed) return { ok: false, reason: 'bad signature' };
  if (typeof claims.exp !== 'number' || claims.exp < nowSeconds) return { ok: false, reason: 'token expired' };
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + CLOCK_SKEW_SECONDS || claims.iat > claims.exp) {
    return { ok: false, reason: 'iat is missing, in the future or after exp' };
  }
  if (claims.scp !== BOT_SCOPE) return { ok: false, reason: `scp must be ${BOT_SCOPE}` };
  if (typeof claims.jti !== 'string' || !isUuid(claims.jti)) return { ok: false, reason: 'jti must be a UUID' };
  if (request.requestId !== claims.jti) return { ok: false, reason: 'jti does not equal the X-Request-Id header' };
  const sigs = signedPathCandidates(request.pathWithQuery).map((p) => createHash('sha256').update(request.method.toUpperCase() + p + request.body).digest('hex'));
  if (typeof claims.sig !== 'string' || !sigs.includes(claims.sig)) return { ok: false, reason: 'sig does not match the method, path and body' };
  return { ok: true, session };
}

/**
 * Decrypts a PIN the SDK encrypted with `signEd25519PIN`: AES-256-CBC under the X25519 secret of
 * the server key and the session key; the plaintext is PIN ‖ time ‖ iterator ‖ padding, and the
 * SDK drops the final all-padding block, so no padding is checked here.
 */
export function decryptPin(encrypted: string, serverPrivateSeedHex: string, sessionPublicKeyHex: string): string | null {
  try {
    const bytes = base64url(encrypted);
    if (bytes.length < 32 || (bytes.length - 16) % 16 !== 0) return null;
    const priv = edwards25519.edwardsToMontgomeryPriv(Buffer.from(serverPrivateSeedHex, 'hex'));
    const pub = edwards25519.edwardsToMontgomery(Buffer.from(sessionPublicKeyHex, 'hex'));
    const shared = Buffer.from(edwards25519.x25519.getSharedSecret(new Uint8Array(priv), new Uint8Array(pub)));
    const decipher = createDecipheriv('aes-256-cbc', shared, bytes.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]);
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > 16) return null;
    const pinLength = plain.length - pad - 16;
    if (pinLength <= 0) return null;
    return plain.subarray(0, pinLength).toString('hex');
  } catch {
    return null;
  }
}
