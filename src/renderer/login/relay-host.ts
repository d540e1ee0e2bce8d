// The host a relay address points at, shown plainly on the sign-in screen so a look-alike address stands out.

export interface RelayHost {
  /** As the connection will use it: lower case, IDN as punycode ("xn--…"), with a port that is not the scheme's default. */
  host: string;
  /** wss:// or https://. A plain address is refused by the console unless it is this computer or IT allowed it. */
  encrypted: boolean;
}

/** null while the address is not (yet) a relay URL. */
export function relayHostOf(address: string): RelayHost | null {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    return null;
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol) || url.host === '') return null;
  return { host: url.host, encrypted: url.protocol === 'wss:' || url.protocol === 'https:' };
}
