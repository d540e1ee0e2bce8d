// Certificate pinning for the relay (machine policy relay.pins): after Node's own checks, the presented chain must hold
// one of the pinned public keys, or the socket is destroyed before a byte of the request (or the token) is written.
import { X509Certificate, createHash } from 'node:crypto';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';

/** Certificates looked at, leaf first; a real chain is far shorter, and a root names itself as its issuer. */
const MAX_CHAIN = 16;
/** ConnectionDetail params hold at most 120 characters. */
const MAX_PARAM = 120;

/** HPKP's pin-sha256 of a DER certificate: base64 SHA-256 of its SubjectPublicKeyInfo, whatever the key type. */
export function spkiPinOf(der: Buffer): string {
  const spki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The chain of a verified connection, leaf first (Node completes it from the trusted store). */
function chainOf(cert: PeerCertificate): Buffer[] {
  const chain: Buffer[] = [];
  let current: DetailedPeerCertificate | PeerCertificate | undefined = cert;
  while (current !== undefined && current.raw !== undefined && chain.length < MAX_CHAIN) {
    if (chain.some((seen) => seen.equals(current!.raw))) break;
    chain.push(current.raw);
    const issuer: DetailedPeerCertificate | undefined = (current as Partial<DetailedPeerCertificate>).issuerCertificate;
    current = issuer;
  }
  return chain;
}

/** The relay presented none of the pinned keys: a TLS failure named by its code, with the pins for IT. */
export class PinMismatchError extends Error {
  readonly code = 'ERR_TLS_PIN_MISMATCH';
  /** The pins IT set, as many as fit one status detail ("…+2" for the rest). */
  readonly expected: string;
  /** The leaf's own pin, so IT can compare it with the certificate they meant. */
  readonly presented: string;
  constructor(pins: readonly string[], leaf: string) {
    super('the relay certificate matches none of the pinned keys (relay.pins)');
    this.name = 'PinMismatchError';
    this.expected = listPins(pins);
    this.presented = leaf;
  }
}

function listPins(pins: readonly string[]): string {
  let text = '';
  for (const [index, pin] of pins.entries()) {
    const rest = pins.length - index;
    const next = text === '' ? pin : `${text} ${pin}`;
    if (next.length + (rest > 1 ? ` +${rest - 1}`.length : 0) > MAX_PARAM) return `${text} +${rest}`;
    text = next;
  }
  return text;
}

/**
 * tls.connect's checkServerIdentity: the host name check Node does anyway, then the pins. Node calls it once the chain
 * verified and before the TLS socket is handed to its user, so a mismatch ends the connection with nothing sent.
 */
export function pinnedServerIdentity(pins: readonly string[]): (host: string, cert: PeerCertificate) => Error | undefined {
  const wanted = new Set(pins);
  return (host, cert) => {
    const identity = tls.checkServerIdentity(host, cert);
    if (identity !== undefined) return identity;
    const chain = chainOf(cert).map(spkiPinOf);
    if (chain.some((pin) => wanted.has(pin))) return undefined;
    return new PinMismatchError(pins, chain[0] ?? '');
  };
}
