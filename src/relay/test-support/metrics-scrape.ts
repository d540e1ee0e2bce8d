// Reads a relay's /metrics as a scraper would, into samples a test can look up by name and labels.

export interface Scrape {
  /** The exposition text as served. */
  readonly text: string;
  /** The sample's value; undefined when the relay does not export it with exactly these labels. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

/** GET /metrics with the token; throws (failing the test) on anything but 200. */
export async function scrapeMetrics(baseUrl: string, token: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  return parseExposition(text);
}

/** The Prometheus text format's sample lines (`name{a="x",b="y"} value`); comments skipped. */
export function parseExposition(text: string): Scrape {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!] as const);
    samples.set(key(match[1]!, Object.fromEntries(labels)), Number(match[3]));
  }
  return { text, value: (name, labels = {}) => samples.get(key(name, labels)) };
}

function key(name: string, labels: Readonly<Record<string, string>>): string {
  return `${name}{${Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}
