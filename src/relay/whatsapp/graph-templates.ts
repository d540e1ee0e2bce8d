// The business account's approved message templates, read page by page from the Graph API.
import { z } from 'zod';
import type { Template } from '../../shared/domain';
import { makeRedactor } from '../domain/graph-redact';
import { isSuccess, problem, refused, unexpected, type Exchange } from './graph-http';
import type { ProviderResult } from './provider';

const MAX_PAGES = 20;

const Page = z.object({
  data: z.array(z.unknown()),
  paging: z
    .object({ next: z.string().min(1).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
const ApprovedTemplate = z.object({
  status: z.literal('APPROVED'),
  name: z.string(),
  language: z.string(),
  category: z.string().catch(''),
  components: z.array(z.unknown()).catch([]),
});
const BodyComponent = z.object({ type: z.string().refine((type) => type.toUpperCase() === 'BODY') });
const BodyText = z.object({ text: z.string() });

/** Follows `paging.next` (on the Graph API's own origin only, since it carries the token) for at most 20 pages. */
export async function listTemplates(exchange: Exchange, firstPage: string, base: URL, token: string): Promise<ProviderResult<Template[]>> {
  const tokenOnly = makeRedactor(token, []);
  const templates: Template[] = [];
  let next: string | undefined = firstPage;
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    const result = await exchange(next, { method: 'GET' });
    if (result.kind === 'lost' || !isSuccess(result.status)) return problem('list templates', result, tokenOnly);
    const parsed = Page.safeParse(result.body);
    if (!parsed.success) return unexpected('list templates');
    for (const item of parsed.data.data) {
      const template = toTemplate(item);
      if (template !== undefined) templates.push(template);
    }
    next = parsed.data.paging?.next;
    if (next !== undefined && !sameOrigin(next, base)) return refused('list templates: the next-page link leaves the Graph API');
  }
  return { ok: true, value: templates };
}

/** An approved template in our terms; anything else (pending, rejected, malformed) is skipped. */
function toTemplate(item: unknown): Template | undefined {
  const parsed = ApprovedTemplate.safeParse(item);
  if (!parsed.success) return undefined;
  const { name, language, category, components } = parsed.data;
  const bodyComponent = components.find((c) => BodyComponent.safeParse(c).success);
  const text = BodyText.safeParse(bodyComponent);
  const body = text.success ? text.data.text : '';
  return { name, language, category, body, parameterCount: countPlaceholders(body) };
}

/** {{1}} used twice is still one parameter to fill. */
function countPlaceholders(body: string): number {
  return new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
}

function sameOrigin(link: string, base: URL): boolean {
  try {
    return new URL(link).origin === base.origin;
  } catch {
    return false;
  }
}
