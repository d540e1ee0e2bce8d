// Whether window.branchline (the preload bridge, or the web preview's shim) is present.
import { createStore, useStore } from 'zustand';

export interface BridgeState {
  readonly available: boolean;
}

export function createBridgeStore(target: object = globalThis) {
  return createStore<BridgeState>()(() => ({ available: 'branchline' in target }));
}

// Created on first use, after main.tsx has had the chance to install the web preview's bridge.
let bridgeStore: ReturnType<typeof createBridgeStore> | undefined;

export function useBridgeStore<T>(selector: (state: BridgeState) => T): T {
  bridgeStore ??= createBridgeStore();
  return useStore(bridgeStore, selector);
}
