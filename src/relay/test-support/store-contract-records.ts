// Store contract, the plain records: media (uploads, inbound media to fetch, who may download), the audit trail
// (append, filters, paging) and the meta values kept with the data.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../store/relay-store';
import { at, batch, customerWrites, inbound, NORTH_NUMBER, person, seedBranches, send, T0, useStore, type OpenStore } from './store-contract-support';

const UPLOAD = { id: 'up-1', mimeType: 'application/pdf', fileName: 'statement.pdf', size: 4096, sha256: 'cd'.repeat(32), uploadedBy: 'noa', now: T0 };

export function recordsContract(open: OpenStore): void {
  describe('media records', () => {
    const store = useStore(open);
    beforeEach(async () => {
      await seedBranches(store());
    });

    it('keeps an upload ready to send, with what the agent gave; its WhatsApp id once uploaded there', async () => {
      await store().createUploadedMedia(UPLOAD);
      const record = {
        id: 'up-1',
        waMediaId: null,
        origin: 'upload',
        mimeType: 'application/pdf',
        fileName: 'statement.pdf',
        size: 4096,
        sha256: 'cd'.repeat(32),
      };
      expect(await store().getMedia('up-1')).toEqual({ ...record, state: 'ready' });
      await store().setMediaWaId('up-1', 'wa-up-1');
      expect(await store().getMedia('up-1')).toMatchObject({ waMediaId: 'wa-up-1', state: 'ready' });
      expect(await store().getMedia('nothing')).toBeNull();
      expect(await store().pendingInboundMedia(10)).toEqual([]);
    });

    it('lists inbound media still to fetch until it is ready or failed, and records what the download found', async () => {
      const image = (n: number) => ({ type: 'image' as const, waMediaId: `wa-${n}`, mimeType: 'image/jpeg' });
      const delivery = batch({ messages: [1, 2, 3].map((n) => inbound(person('972541234567'), `wamid.IN${n}`, { content: image(n), at: T0 + n })) });
      const ids = (await store().recordWebhook(delivery, T0 + 10)).mediaToFetch.map((m) => m.mediaId);
      expect(ids).toHaveLength(3);
      expect(await store().pendingInboundMedia(2)).toHaveLength(2);
      await store().setMediaState(ids[0]!, 'ready', { size: 1234, sha256: 'ef'.repeat(32), mimeType: 'image/png' });
      await store().setMediaState(ids[1]!, 'failed');
      expect(await store().pendingInboundMedia(10)).toEqual([{ mediaId: ids[2], waMediaId: 'wa-3' }]);
      expect(await store().getMedia(ids[0]!)).toMatchObject({ state: 'ready', size: 1234, sha256: 'ef'.repeat(32), mimeType: 'image/png', origin: 'inbound' });
      expect(await store().getMedia(ids[1]!)).toMatchObject({ state: 'failed', mimeType: 'image/jpeg', waMediaId: 'wa-2' });
    });

    it('says who may download: the uploader, and the teams whose conversations show it now', async () => {
      await store().createUploadedMedia(UPLOAD);
      expect(await store().mediaAccess('up-1')).toEqual({ uploadedBy: 'noa', conversationIds: [], teamIds: [] });
      const north = await customerWrites(store(), '972541112223', 'wamid.N1', { phoneNumberId: NORTH_NUMBER });
      expect((await send(store(), 'noa', north, { content: { type: 'document', mediaId: 'up-1' } })).ok).toBe(true);
      expect(await store().mediaAccess('up-1')).toEqual({ uploadedBy: 'noa', conversationIds: [north], teamIds: ['north'] });
      const image = { type: 'image' as const, waMediaId: 'wa-9', mimeType: 'image/jpeg' };
      const [fetched] = (await store().recordWebhook(batch({ messages: [inbound(person('972541234567'), 'wamid.IN9', { content: image })] }), T0)).mediaToFetch;
      const access = await store().mediaAccess(fetched!.mediaId);
      expect(access).toMatchObject({ uploadedBy: null, teamIds: ['main'] });
      expect(access!.conversationIds).toHaveLength(1);
      // Transferred: the media goes with the conversation.
      expect((await store().transfer(north, 'main', T0 + 5, at('sara'))).ok).toBe(true);
      expect((await store().mediaAccess('up-1'))!.teamIds).toEqual(['main']);
      expect(await store().mediaAccess('nothing')).toBeNull();
    });
  });

  describe('the audit trail', () => {
    const store = useStore(open);
    const entry = (n: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
      at: T0 + n * 1000,
      action: 'conversations.list',
      actorId: 'noa',
      source: '10.0.0.7',
      ...extra,
    });

    it('keeps entries as appended, oldest first, with increasing seqs', async () => {
      await store().appendAudit(entry(1, { detail: { count: 3, full: true } }));
      await store().appendAudit(entry(2, { action: 'media.download', conversationId: 'conv-1', subjectId: 'ana', detail: null }));
      const read = await store().readAudit({ limit: 10 });
      expect(read.map(({ seq: _seq, ...rest }) => rest)).toEqual([
        {
          at: T0 + 1000,
          action: 'conversations.list',
          actorId: 'noa',
          source: '10.0.0.7',
          conversationId: null,
          subjectId: null,
          detail: { count: 3, full: true },
        },
        { at: T0 + 2000, action: 'media.download', actorId: 'noa', source: '10.0.0.7', conversationId: 'conv-1', subjectId: 'ana', detail: null },
      ]);
      expect(read[1]!.seq).toBeGreaterThan(read[0]!.seq);
    });

    it('reads by agent (actor or subject), by conversation, from a time on, and in pages after a seq', async () => {
      await store().appendAudit(entry(1));
      await store().appendAudit(entry(2, { actorId: null, source: 'cli', subjectId: 'ana', action: 'agent.revoke' }));
      await store().appendAudit(entry(3, { actorId: 'ana', conversationId: 'conv-1', action: 'conversation.assign' }));
      await store().appendAudit(entry(4, { conversationId: 'conv-2', action: 'messages.history' }));
      const actions = (entries: { action: string }[]) => entries.map((e) => e.action);
      expect(actions(await store().readAudit({ agentId: 'ana', limit: 10 }))).toEqual(['agent.revoke', 'conversation.assign']);
      expect(actions(await store().readAudit({ conversationId: 'conv-2', limit: 10 }))).toEqual(['messages.history']);
      expect(actions(await store().readAudit({ since: T0 + 3000, limit: 10 }))).toEqual(['conversation.assign', 'messages.history']);
      expect(actions(await store().readAudit({ agentId: 'noa', since: T0 + 2000, limit: 10 }))).toEqual(['messages.history']);
      const first = await store().readAudit({ limit: 2 });
      expect(actions(first)).toEqual(['conversations.list', 'agent.revoke']);
      expect(actions(await store().readAudit({ afterSeq: first[1]!.seq, limit: 2 }))).toEqual(['conversation.assign', 'messages.history']);
      expect(await store().readAudit({ afterSeq: first[1]!.seq + 1000, limit: 2 })).toEqual([]);
    });
  });

  describe('meta values', () => {
    const store = useStore(open);

    it('creates a value once and keeps it', async () => {
      let made = 0;
      const create = () => `salt-${(made += 1)}`;
      expect(await store().getOrCreateMeta('log_salt', create)).toBe('salt-1');
      expect(await store().getOrCreateMeta('log_salt', create)).toBe('salt-1');
      expect(made).toBe(1);
      expect(await store().getOrCreateMeta('other', () => 'x')).toBe('x');
    });
  });
}
