// Checks a POST /{phone-number-id}/messages body the way the Cloud API does, before anything is recorded.
import { isBsuid } from './customers';
import { invalidParameter, type GraphProblem } from './graph-errors';
import { findTemplate, parameterCount } from './templates';

export type SendContent =
  | { readonly type: 'text'; readonly body: string; readonly previewUrl: boolean }
  | { readonly type: 'template'; readonly name: string; readonly language: string; readonly parameters: readonly string[] }
  | { readonly type: 'image'; readonly mediaId: string; readonly caption?: string }
  | { readonly type: 'document'; readonly mediaId: string; readonly caption?: string; readonly fileName?: string };

export interface ValidSend {
  /** The recipient as the caller wrote it (echoed in `contacts[].input`). */
  readonly input: string;
  /** Whom it goes to: a phone number (digits only), a BSUID (`recipient`), or a group id (`recipient_type: group`). */
  readonly to: string;
  readonly toKind: 'phone' | 'bsuid' | 'group';
  readonly content: SendContent;
  readonly bizOpaque: string | null;
  readonly replyToWamid: string | null;
}

export type GraphMessageRequest = { readonly kind: 'mark_read'; readonly messageId: string } | { readonly kind: 'send'; readonly send: ValidSend };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: GraphProblem };

export const TEXT_BODY_MAX = 4096;
export const CAPTION_MAX = 1024;
export const BIZ_OPAQUE_MAX = 512;
const WA_ID = /^\d{6,20}$/;
const GROUP_ID_MAX = 256;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (details: string): Parsed<never> => ({ ok: false, problem: invalidParameter(details) });

/**
 * `mediaExists` tells whether an id was uploaded to this sandbox (ids from elsewhere cannot be sent); `groupExists`
 * whether a customer has written in that group (the business number takes part in no other).
 */
export function parseGraphMessage(
  body: unknown,
  mediaExists: (id: string) => boolean,
  groupExists: (id: string) => boolean = () => false,
): Parsed<GraphMessageRequest> {
  if (!isObject(body)) return fail('The request body must be a JSON object.');
  if (body['messaging_product'] !== 'whatsapp') return fail("The parameter messaging_product is required and must be 'whatsapp'.");

  if (body['status'] !== undefined) {
    if (body['status'] !== 'read') return fail("The parameter status must be 'read'.");
    const messageId = body['message_id'];
    if (typeof messageId !== 'string' || messageId.length === 0) return fail('The parameter message_id is required.');
    return { ok: true, value: { kind: 'mark_read', messageId } };
  }

  const recipient = parseRecipient(body, groupExists);
  if (!recipient.ok) return recipient;
  const { input, to, toKind } = recipient.value;

  const bizOpaque = body['biz_opaque_callback_data'];
  if (bizOpaque !== undefined && (typeof bizOpaque !== 'string' || bizOpaque.length > BIZ_OPAQUE_MAX)) {
    return fail(`The parameter biz_opaque_callback_data must be a string of at most ${BIZ_OPAQUE_MAX} characters.`);
  }

  let replyToWamid: string | null = null;
  const context = body['context'];
  if (context !== undefined) {
    if (!isObject(context) || typeof context['message_id'] !== 'string' || context['message_id'].length === 0) {
      return fail('The parameter context.message_id must be a wamid.');
    }
    replyToWamid = context['message_id'];
  }

  const content = parseContent(body, mediaExists);
  if (!content.ok) return content;
  return {
    ok: true,
    value: { kind: 'send', send: { input, to, toKind, content: content.value, bizOpaque: typeof bizOpaque === 'string' ? bizOpaque : null, replyToWamid } },
  };
}

/**
 * Meta's Messages API: `to` takes a phone number (or, with `recipient_type: group`, a group id); `recipient` takes a
 * BSUID; when both are given, `to` wins.
 */
function parseRecipient(body: Json, groupExists: (id: string) => boolean): Parsed<Pick<ValidSend, 'input' | 'to' | 'toKind'>> {
  const recipientType = body['recipient_type'] ?? 'individual';
  if (recipientType !== 'individual' && recipientType !== 'group') return fail("The parameter recipient_type must be 'individual' or 'group'.");
  const to = body['to'];
  if (recipientType === 'group') {
    if (typeof to !== 'string' || to.length === 0 || to.length > GROUP_ID_MAX || !groupExists(to)) {
      return fail('The parameter to must be the id of a group this number takes part in.');
    }
    return { ok: true, value: { input: to, to, toKind: 'group' } };
  }
  if (to !== undefined) {
    if (typeof to !== 'string') return fail('The parameter to must be a phone number.');
    // Meta tolerates a leading "+" and normalises it away in contacts[].wa_id.
    const digits = to.startsWith('+') ? to.slice(1) : to;
    if (!WA_ID.test(digits)) return fail('The parameter to must be a phone number of 6 to 20 digits.');
    return { ok: true, value: { input: to, to: digits, toKind: 'phone' } };
  }
  const bsuid = body['recipient'];
  if (bsuid === undefined) return fail('The parameter to (a phone number) or recipient (a business-scoped user id) is required.');
  if (typeof bsuid !== 'string' || !isBsuid(bsuid)) return fail('The parameter recipient must be a business-scoped user id such as US.13491208655302741918.');
  return { ok: true, value: { input: bsuid, to: bsuid, toKind: 'bsuid' } };
}

function parseContent(body: Json, mediaExists: (id: string) => boolean): Parsed<SendContent> {
  const type: unknown = body['type'] ?? 'text';
  switch (type) {
    case 'text':
      return parseText(body['text']);
    case 'template':
      return parseTemplate(body['template']);
    case 'image':
    case 'document':
      return parseMedia(type, body[type], mediaExists);
    default:
      return fail(`The parameter type must be one of text, template, image, document (the sandbox supports these).`);
  }
}

function parseText(text: unknown): Parsed<SendContent> {
  if (!isObject(text)) return fail("The parameter text['body'] is required.");
  const body = text['body'];
  if (typeof body !== 'string' || body.length === 0) return fail("The parameter text['body'] is required.");
  if (body.length > TEXT_BODY_MAX) return fail(`The parameter text['body'] must be at most ${TEXT_BODY_MAX} characters.`);
  const previewUrl = text['preview_url'];
  if (previewUrl !== undefined && typeof previewUrl !== 'boolean') return fail("The parameter text['preview_url'] must be a boolean.");
  return { ok: true, value: { type: 'text', body, previewUrl: previewUrl === true } };
}

function parseTemplate(template: unknown): Parsed<SendContent> {
  if (!isObject(template)) return fail("The parameter template['name'] is required.");
  const name = template['name'];
  if (typeof name !== 'string' || name.length === 0) return fail("The parameter template['name'] is required.");
  const language = template['language'];
  if (!isObject(language) || typeof language['code'] !== 'string' || language['code'].length === 0) {
    return fail("The parameter template['language']['code'] is required.");
  }
  const code = language['code'];

  const parameters: string[] = [];
  const components = template['components'];
  if (components !== undefined) {
    if (!Array.isArray(components)) return fail("The parameter template['components'] must be an array.");
    for (const component of components as unknown[]) {
      if (!isObject(component) || typeof component['type'] !== 'string') return fail("Each of template['components'] needs a type.");
      if (component['type'].toLowerCase() !== 'body') return fail("The sandbox's templates have only a body component.");
      const params = component['parameters'];
      if (!Array.isArray(params)) return fail("The body component's parameters must be an array.");
      for (const param of params as unknown[]) {
        if (!isObject(param) || param['type'] !== 'text' || typeof param['text'] !== 'string' || param['text'].length === 0) {
          return fail("Each body parameter must be {type:'text', text:'…'} with non-empty text.");
        }
        parameters.push(param['text']);
      }
    }
  }

  const known = findTemplate(name, code);
  if (known === undefined) {
    return {
      ok: false,
      problem: {
        httpStatus: 404,
        code: 132001,
        title: 'Template name does not exist in the translation',
        details: `template name (${name}) does not exist in ${code}`,
      },
    };
  }
  const expected = parameterCount(known.body);
  if (parameters.length !== expected) {
    return {
      ok: false,
      problem: {
        httpStatus: 400,
        code: 132000,
        title: 'Number of parameters does not match the expected number of params',
        details: `body: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected})`,
      },
    };
  }
  return { ok: true, value: { type: 'template', name, language: code, parameters } };
}

function parseMedia(type: 'image' | 'document', media: unknown, mediaExists: (id: string) => boolean): Parsed<SendContent> {
  if (!isObject(media)) return fail(`The parameter ${type}['id'] is required.`);
  if (media['link'] !== undefined) return fail(`The sandbox only sends media uploaded to it: use ${type}['id'], not a link.`);
  const id = media['id'];
  if (typeof id !== 'string' || id.length === 0) return fail(`The parameter ${type}['id'] is required.`);
  if (!mediaExists(id)) return fail(`The parameter ${type}['id'] is not a media id uploaded to this phone number.`);
  const caption = media['caption'];
  if (caption !== undefined && (typeof caption !== 'string' || caption.length > CAPTION_MAX)) {
    return fail(`The parameter ${type}['caption'] must be a string of at most ${CAPTION_MAX} characters.`);
  }
  const base = { mediaId: id, ...(typeof caption === 'string' ? { caption } : {}) };
  if (type === 'image') return { ok: true, value: { type, ...base } };
  const fileName = media['filename'];
  if (fileName !== undefined && typeof fileName !== 'string') return fail("The parameter document['filename'] must be a string.");
  return { ok: true, value: { type, ...base, ...(typeof fileName === 'string' ? { fileName } : {}) } };
}
