// Search snippets mark the matched words with \u0001 … \u0002: split them into plain and highlighted runs.

export interface SnippetSegment {
  text: string;
  match: boolean;
}

export function snippetSegments(snippet: string): SnippetSegment[] {
  const segments: SnippetSegment[] = [];
  let match = false;
  let current = '';
  const push = () => {
    if (current === '') return;
    const last = segments.at(-1);
    if (last !== undefined && last.match === match) last.text += current;
    else segments.push({ text: current, match });
    current = '';
  };
  for (const char of snippet) {
    if (char === '\u0001' || char === '\u0002') {
      push();
      match = char === '\u0001';
    } else {
      current += char;
    }
  }
  push();
  return segments;
}

/** The snippet without markers (for accessible names). */
export function snippetText(snippet: string): string {
  return snippet.replaceAll('\u0001', '').replaceAll('\u0002', '');
}
