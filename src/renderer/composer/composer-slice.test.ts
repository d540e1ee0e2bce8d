// Drafts and sending, fed by a fake service and a fake clock: nothing typed is lost.
import { describe, expect, it } from 'vitest';
import { ConsoleError } from '../../shared/contract';
import { settle, summary } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';
import { DRAFT_SAVE_DELAY_MS } from './composer-slice';

describe('drafts', () => {
  it('restores the stored draft when a conversation opens', async () => {
    const { store } = await startedStore({ 'drafts.get': () => ({ text: 'Dear Dana,' }) });
    await store.getState().openConversation('c1');
    await settle();
    expect(store.getState().drafts['c1']).toEqual({ text: 'Dear Dana,', loaded: true, save: 'saved' });
  });

  it('saves once typing pauses, not at every key', async () => {
    const { store, fake, deps } = await startedStore();
    for (const text of ['H', 'He', 'Hel', 'Hello']) store.getState().setDraft('c1', text);
    expect(fake.callsTo('drafts.save')).toEqual([]);
    deps.clock.advance(DRAFT_SAVE_DELAY_MS);
    await settle();
    expect(fake.callsTo('drafts.save')).toEqual([{ conversationId: 'c1', text: 'Hello' }]);
    expect(store.getState().drafts['c1']?.save).toBe('saved');
  });

  it('writes a pending draft at once when the agent switches conversation', async () => {
    const { store, fake } = await startedStore();
    await store.getState().openConversation('c1');
    store.getState().setDraft('c1', 'unfinished');
    await store.getState().openConversation('c2');
    await settle();
    expect(fake.callsTo('drafts.save')).toContainEqual({ conversationId: 'c1', text: 'unfinished' });
  });

  it('does not let a slow drafts.get overwrite what the agent has typed meanwhile', async () => {
    let answer: () => void = () => {};
    const { store } = await startedStore({ 'drafts.get': () => new Promise((resolve) => (answer = () => resolve({ text: 'old' }))) });
    const loading = store.getState().loadDraft('c1');
    store.getState().setDraft('c1', 'new');
    answer();
    await loading;
    expect(store.getState().drafts['c1']?.text).toBe('new');
  });
});

describe('sending text', () => {
  it('empties the box, queues the message, then clears the stored draft', async () => {
    const { store, fake } = await startedStore({ 'messages.sendText': () => new Promise(() => {}) });
    store.getState().setDraft('c1', '  Hello there \n');
    void store.getState().sendDraft('c1');
    expect(store.getState().drafts['c1']?.text).toBe('');
    await settle();
    expect(fake.callsTo('messages.sendText')).toEqual([{ conversationId: 'c1', body: 'Hello there' }]);
    // The service has not confirmed: the stored draft still holds the text.
    expect(fake.callsTo('drafts.save')).toEqual([]);
  });

  it('clears the stored draft after the service queued the message', async () => {
    const { store, fake } = await startedStore({ 'messages.sendText': () => ({ message: undefined as never }) });
    store.getState().setDraft('c1', 'Hello');
    await store.getState().sendDraft('c1');
    await settle();
    expect(fake.callsTo('drafts.save')).toEqual([{ conversationId: 'c1', text: '' }]);
  });

  it('puts the text back, with the reason, when the service refuses', async () => {
    const { store } = await startedStore({
      'messages.sendText': () => {
        throw new ConsoleError('template_required', 'closed');
      },
    });
    store.getState().setDraft('c1', 'Are you still there?');
    await store.getState().sendDraft('c1');
    expect(store.getState().drafts['c1']?.text).toBe('Are you still there?');
    expect(store.getState().composerErrors['c1']).toMatch(/only a template can be sent/);
  });

  it('sends nothing for blank text', async () => {
    const { store, fake } = await startedStore();
    store.getState().setDraft('c1', '   \n ');
    await store.getState().sendDraft('c1');
    expect(fake.callsTo('messages.sendText')).toEqual([]);
  });
});

describe('attachments', () => {
  it('refuses a file WhatsApp would refuse before anything is queued', async () => {
    const { store } = await startedStore();
    store.getState().attachFile('c1', { name: 'virus.exe', type: 'application/x-msdownload', size: 10, read: async () => '' });
    expect(store.getState().attachments['c1']).toBeUndefined();
    expect(store.getState().composerErrors['c1']).toMatch(/WhatsApp accepts JPEG and PNG photos/);
  });

  it('sends an accepted file with the typed text as its caption', async () => {
    const { store, fake } = await startedStore({ 'messages.sendFile': () => ({ message: undefined as never }) });
    store.getState().attachFile('c1', { name: 'scan.png', type: 'image/png', size: 3, read: async () => 'AAAA' });
    store.getState().setDraft('c1', 'Your statement');
    await store.getState().sendDraft('c1');
    expect(fake.callsTo('messages.sendFile')).toEqual([
      { conversationId: 'c1', fileName: 'scan.png', mimeType: 'image/png', dataBase64: 'AAAA', caption: 'Your statement' },
    ]);
    expect(store.getState().attachments['c1']).toBeUndefined();
    expect(store.getState().drafts['c1']?.text).toBe('');
  });
});

describe('templates', () => {
  it('sends a template with trimmed parameters and reports success', async () => {
    const { store, fake } = await startedStore({ 'messages.sendTemplate': () => ({ message: undefined as never }), 'conversations.get': () => summary('c1') });
    const template = { name: 'branch_follow_up', language: 'en_US', category: 'UTILITY', body: 'Hello {{1}}', parameterCount: 1 };
    expect(await store.getState().sendTemplate('c1', template, [' Ruth '])).toBe(true);
    expect(fake.callsTo('messages.sendTemplate')).toEqual([{ conversationId: 'c1', name: 'branch_follow_up', language: 'en_US', parameters: ['Ruth'] }]);
  });
});
