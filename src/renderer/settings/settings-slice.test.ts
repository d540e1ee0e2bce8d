// Settings shown at once and never flipped back by an earlier answer.
import { describe, expect, it } from 'vitest';
import { ConsoleError, type Settings } from '../../shared/contract';
import { settle } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';

const BASE: Settings = { notificationPrivacy: 'show', sounds: true, closeToTray: false, theme: 'system' };

describe('settings', () => {
  it('shows a change at once, and an earlier answer does not flip a later choice back', async () => {
    const answers: (() => void)[] = [];
    let server = { ...BASE };
    const { store, fake } = await startedStore({
      'settings.set': (patch) =>
        new Promise((resolve) => {
          answers.push(() => {
            server = { ...server, ...patch };
            resolve(server);
          });
        }),
    });
    void store.getState().updateSettings({ theme: 'dark' });
    void store.getState().updateSettings({ notificationPrivacy: 'hide' });
    expect(store.getState().settings).toMatchObject({ theme: 'dark', notificationPrivacy: 'hide' });

    answers[0]!();
    await settle();
    fake.emit('settings.changed', { ...BASE, theme: 'dark' }); // the event for the first change
    expect(store.getState().settings).toMatchObject({ theme: 'dark', notificationPrivacy: 'hide' });

    answers[1]!();
    await settle();
    expect(store.getState().settings).toEqual({ ...BASE, theme: 'dark', notificationPrivacy: 'hide' });
  });

  it('goes back to the service’s value, with the reason, when a change is refused', async () => {
    const { store } = await startedStore({
      'settings.set': () => {
        throw new ConsoleError('storage_readonly', 'read-only');
      },
    });
    await store.getState().updateSettings({ sounds: false });
    expect(store.getState().settings?.sounds).toBe(true);
    expect(store.getState().settingsError).toMatch(/cannot write to its data folder/);
  });
});
