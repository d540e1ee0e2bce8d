// A PostgreSQL connection URL checked, and shown without its password (logs, errors, the startup banner).

/** `postgres://` or `postgresql://` with a host; otherwise null. */
export function parseDatabaseUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return null;
  if (url.hostname === '' && !url.searchParams.has('host')) return null;
  return url;
}

/** The URL with any password replaced, for anything a person or a log may read. */
export function redactDatabaseUrl(value: string): string {
  const url = parseDatabaseUrl(value);
  if (url === null) return '(not a postgres:// URL)';
  if (url.password !== '') url.password = '***';
  // A password may also be given as a query parameter (libpq accepts ?password=).
  if (url.searchParams.has('password')) url.searchParams.set('password', '***');
  return url.toString();
}

/** `text` with the URL's password removed wherever it appears (driver messages are not trusted to omit it). */
export function withoutPassword(text: string, value: string): string {
  const url = parseDatabaseUrl(value);
  const secrets = [url?.password ?? '', url?.searchParams.get('password') ?? ''].filter((s) => s !== '');
  let clean = text;
  for (const secret of secrets) {
    clean = clean.split(secret).join('***');
    const decoded = safeDecode(secret);
    if (decoded !== secret && decoded !== '') clean = clean.split(decoded).join('***');
  }
  return clean;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
