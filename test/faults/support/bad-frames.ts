// Frames no console sends, for the bad-socket scenario: each with the refusal it must get.
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../src/shared/uuidv7';
import { CUSTOMERS } from './customers';

/** Frames no console sends; each must get an `error` frame (or a `res` error when it names a usable id). */
export function malformedFrames(conversationId: string): { what: string; text: string; codes?: string[] }[] {
  const send = (params: Record<string, unknown>) => JSON.stringify({ type: 'req', id: `s-${randomBytes(3).toString('hex')}`, method: 'messages.send', params });
  const text = { type: 'text', body: 'hello' };
  return [
    { what: 'invalid JSON', text: '{"type":"req",' },
    { what: 'a JSON array', text: '[]' },
    { what: 'JSON null', text: 'null' },
    { what: 'a bare string', text: '"ping"' },
    { what: 'an unknown frame type', text: '{"type":"subscribe","topic":"all"}' },
    { what: 'a frame without a type', text: '{"id":"x1","method":"templates.list"}' },
    { what: 'an ack with a string seq', text: '{"type":"ack","seq":"5"}' },
    { what: 'an ack with a negative seq', text: '{"type":"ack","seq":-1}' },
    { what: 'an ack beyond what was sent', text: '{"type":"ack","seq":999999999}' },
    { what: 'a request without an id', text: '{"type":"req","method":"conversations.list","params":{}}' },
    { what: 'a request with an empty id', text: '{"type":"req","id":"","method":"conversations.list","params":{}}' },
    { what: 'a request with a 65-character id', text: JSON.stringify({ type: 'req', id: 'i'.repeat(65), method: 'conversations.list', params: {} }) },
    { what: 'a request with a numeric id', text: '{"type":"req","id":17,"method":"conversations.list","params":{}}' },
    { what: 'a request whose method is a number', text: '{"type":"req","id":"m1","method":7,"params":{}}' },
    { what: 'an unknown method', text: '{"type":"req","id":"m2","method":"admin.dropAll","params":{}}', codes: ['unknown_method'] },
    { what: 'a prototype-named method', text: '{"type":"req","id":"m3","method":"__proto__","params":{}}', codes: ['unknown_method'] },
    { what: 'deadlineMs 0', text: '{"type":"req","id":"d1","method":"conversations.list","params":{},"deadlineMs":0}' },
    { what: 'deadlineMs over 300 s', text: '{"type":"req","id":"d2","method":"conversations.list","params":{},"deadlineMs":300001}' },
    { what: 'deadlineMs as a string', text: '{"type":"req","id":"d3","method":"conversations.list","params":{},"deadlineMs":"10"}' },
    { what: 'a page size of 100000', text: '{"type":"req","id":"p1","method":"conversations.list","params":{"limit":100000}}' },
    {
      what: 'a forged history cursor',
      text: JSON.stringify({ type: 'req', id: 'p2', method: 'messages.history', params: { conversationId, cursor: 'eyJ0IjoxfQ' } }),
    },
    {
      what: 'a send with a non-UUIDv7 clientMessageId',
      text: send({ clientMessageId: '11111111-1111-4111-8111-111111111111', conversationId, content: text }),
    },
    { what: 'a send with a path for a conversation id', text: send({ clientMessageId: uuidv7(), conversationId: '../../etc/passwd', content: text }) },
    {
      what: 'a send with a Windows path for a conversation id',
      text: send({ clientMessageId: uuidv7(), conversationId: 'C:\\Windows\\system32', content: text }),
    },
    {
      what: 'a send with a 4097-character body',
      text: send({ clientMessageId: uuidv7(), conversationId, content: { type: 'text', body: 'b'.repeat(4_097) } }),
    },
    { what: 'a send with an empty body', text: send({ clientMessageId: uuidv7(), conversationId, content: { type: 'text', body: '' } }) },
    { what: 'a send with a + in the WhatsApp id', text: send({ clientMessageId: uuidv7(), waId: '+972500000101', content: text }) },
    {
      what: 'a send naming both a conversation and a WhatsApp id',
      text: send({ clientMessageId: uuidv7(), conversationId, waId: CUSTOMERS[0], content: text }),
    },
    { what: 'a send of a sticker (not sendable)', text: send({ clientMessageId: uuidv7(), conversationId, content: { type: 'sticker', mediaId: 'x' } }) },
    { what: 'a send with content as a string', text: send({ clientMessageId: uuidv7(), conversationId, content: 'hello' }) },
    {
      what: 'a send to a conversation that does not exist',
      text: send({ clientMessageId: uuidv7(), conversationId: 'no-such-conversation', content: text }),
      codes: ['not_found'],
    },
    {
      what: 'free text to a customer who never wrote',
      text: send({ clientMessageId: uuidv7(), waId: '972599999999', content: text }),
      codes: ['template_required'],
    },
    {
      what: 'a send quoting a message of another conversation',
      text: send({ clientMessageId: uuidv7(), conversationId, content: text, replyToId: 'not-a-message' }),
    },
    {
      what: 'an image that was never uploaded',
      text: send({ clientMessageId: uuidv7(), conversationId, content: { type: 'image', mediaId: 'never-uploaded' } }),
      codes: ['not_found'],
    },
    {
      what: 'markRead on a message of another conversation',
      text: JSON.stringify({ type: 'req', id: 'r1', method: 'messages.markRead', params: { conversationId, upToMessageId: 'nope' } }),
      codes: ['not_found'],
    },
    {
      what: 'a case id with a script tag',
      text: JSON.stringify({ type: 'req', id: 'c1', method: 'conversations.linkCase', params: { conversationId, caseId: '<script>' } }),
    },
    {
      what: 'assigning to an agent that does not exist',
      text: JSON.stringify({ type: 'req', id: 'a1', method: 'conversations.assign', params: { conversationId, agentId: 'mallory' } }),
      codes: ['not_found'],
    },
    { what: '20 000 nested arrays', text: `{"type":"req","id":"n1","method":"conversations.list","params":${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
    { what: 'a binary frame', text: '\u0000binary' },
  ];
}
