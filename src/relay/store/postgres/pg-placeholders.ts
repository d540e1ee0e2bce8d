// `?` placeholders (the seam's, and SQLite's) numbered as PostgreSQL's `$1, $2 …`, leaving quoted text alone.

/**
 * Rewrites each `?` outside string literals, quoted identifiers, comments and dollar-quoted bodies. Returns the SQL and
 * the number of placeholders. PostgreSQL's jsonb `?`, `?|`, `?&` operators are therefore unavailable through the seam
 * (use `jsonb_exists` and friends): a `?` is always a parameter, as in SQLite.
 */
export function numberPlaceholders(sql: string): { text: string; count: number } {
  let out = '';
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
      if (tag === null) {
        out += c;
        i += 1;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      const stop = end === -1 ? sql.length : end + tag[0].length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      count += 1;
      out += `$${count}`;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return { text: out, count };
}

/** The index just past the quote closing the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}
