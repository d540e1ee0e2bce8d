import { describe, expect, it } from 'vitest';
import { createBridgeStore } from './bridge-store';

describe('bridge store', () => {
  it('reports the bridge missing when the window has no branchline object', () => {
    expect(createBridgeStore({}).getState().available).toBe(false);
  });

  it('reports the bridge present when the preload or shim installed it', () => {
    expect(createBridgeStore({ branchline: {} }).getState().available).toBe(true);
  });
});
