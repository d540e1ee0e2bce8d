// Media fetched once, held as object URLs, released past the cap.
import { describe, expect, it } from 'vitest';
import { settle } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';
import { MEDIA_CACHE_LIMIT } from './media-slice';

describe('media', () => {
  it('fetches a file once and hands out an object URL', async () => {
    const { store, fake } = await startedStore({ 'media.get': () => ({ mimeType: 'image/png', dataBase64: 'AAAA', fileName: 'a.png' }) });
    store.getState().loadMedia('m1');
    store.getState().loadMedia('m1');
    await settle();
    expect(fake.callsTo('media.get')).toHaveLength(1);
    expect(store.getState().media['m1']).toMatchObject({ status: 'ready', url: 'blob:fake/0', fileName: 'a.png' });
  });

  it('releases the oldest URLs past the cap', async () => {
    const { store, deps } = await startedStore({ 'media.get': () => ({ mimeType: 'image/png', dataBase64: 'AAAA', fileName: null }) });
    for (let i = 0; i <= MEDIA_CACHE_LIMIT; i++) {
      store.getState().loadMedia(`m${i}`);
      await settle();
    }
    expect(deps.revoked).toEqual(['blob:fake/0']);
    expect(store.getState().media['m0']).toBeUndefined();
  });
});
