// The approved message templates the sandbox's business account owns.

export interface SandboxTemplate {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  /** Body text with {{1}}, {{2}} … placeholders, as Meta returns it. */
  readonly body: string;
}

export const SANDBOX_TEMPLATES: readonly SandboxTemplate[] = [
  {
    id: '1029384756102938',
    name: 'branch_follow_up',
    language: 'en_US',
    category: 'UTILITY',
    body: 'Hello {{1}}, thank you for visiting our {{2}}. Reply to this message if there is anything else we can help with.',
  },
  {
    id: '1029384756102939',
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    body: 'Hi {{1}}, this is a reminder of your appointment at {{2}} on {{3}}. Reply YES to confirm.',
  },
  {
    id: '1029384756102940',
    name: 'document_request',
    language: 'en_US',
    category: 'UTILITY',
    body: 'Hello {{1}}, to continue with your request we need a copy of your {{2}}. You can send it here as a photo or PDF.',
  },
];

/** Highest placeholder number in a body: how many body parameters a send must carry. */
export function parameterCount(body: string): number {
  let max = 0;
  for (const match of body.matchAll(/\{\{(\d+)\}\}/g)) max = Math.max(max, Number(match[1]));
  return max;
}

export function findTemplate(name: string, language: string): SandboxTemplate | undefined {
  return SANDBOX_TEMPLATES.find((t) => t.name === name && t.language === language);
}

/** GET /{waba-id}/message_templates in Meta's shape. */
export function templateListResponse(): { data: unknown[]; paging: { cursors: Record<string, string> } } {
  return {
    data: SANDBOX_TEMPLATES.map((t) => ({
      name: t.name,
      language: t.language,
      status: 'APPROVED',
      category: t.category,
      components: [{ type: 'BODY', text: t.body }],
      id: t.id,
    })),
    paging: { cursors: {} },
  };
}
