// Free text or templates only: the composer's closed-window state, decided without a browser.
import { describe, expect, it } from 'vitest';
import { SERVICE_WINDOW_MS } from '../../shared/service-window';
import { composerMode, msUntilModeChange } from './composer-mode';

const LAST = Date.UTC(2026, 2, 14, 9);

describe('composerMode', () => {
  it('offers free text inside the 24-hour window, saying when it closes', () => {
    expect(composerMode({ lastInboundAt: LAST }, LAST + 1_000)).toEqual({ kind: 'free', closesAt: LAST + SERVICE_WINDOW_MS });
  });

  it('offers only templates once the window has closed (exactly at 24 h)', () => {
    expect(composerMode({ lastInboundAt: LAST }, LAST + SERVICE_WINDOW_MS)).toEqual({ kind: 'template', reason: 'closed' });
    expect(composerMode({ lastInboundAt: LAST }, LAST + 3 * SERVICE_WINDOW_MS)).toEqual({ kind: 'template', reason: 'closed' });
  });

  it('offers only templates when the customer never wrote', () => {
    expect(composerMode({ lastInboundAt: null }, LAST)).toEqual({ kind: 'template', reason: 'never_wrote' });
  });

  it('knows how long until the mode changes on its own', () => {
    const mode = composerMode({ lastInboundAt: LAST }, LAST + 1_000);
    expect(msUntilModeChange(mode, LAST + 1_000)).toBe(SERVICE_WINDOW_MS - 1_000);
    expect(msUntilModeChange({ kind: 'template', reason: 'closed' }, LAST)).toBeNull();
  });
});
