// A template's body with its {{n}} placeholders filled from the form: the preview the agent checks before sending.

export interface TemplatePart {
  text: string;
  /** Which parameter (1-based) this part is, or null for the template's own words. */
  parameter: number | null;
}

export function fillTemplate(body: string, parameters: readonly string[]): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of body.matchAll(/\{\{(\d+)\}\}/g)) {
    const index = match.index;
    if (index > last) parts.push({ text: body.slice(last, index), parameter: null });
    const n = Number(match[1]);
    const value = parameters[n - 1]?.trim() ?? '';
    parts.push({ text: value === '' ? `{{${n}}}` : value, parameter: n });
    last = index + match[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), parameter: null });
  return parts;
}

export function filledText(body: string, parameters: readonly string[]): string {
  return fillTemplate(body, parameters)
    .map((p) => p.text)
    .join('');
}

/** Every parameter present, non-blank and within WhatsApp's 1,024 characters. */
export function parametersComplete(count: number, parameters: readonly string[]): boolean {
  for (let i = 0; i < count; i++) {
    const value = parameters[i]?.trim() ?? '';
    if (value === '' || value.length > 1024) return false;
  }
  return true;
}
