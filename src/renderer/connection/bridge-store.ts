// Whether window.branchline (the preload bridge, or the web preview's shim) is present.
import { createStore, useStore } from 'zustand';

export interface BridgeState {
  readonly available: boolean;
}

export function createBridgeStore(target: object = globalThis) {
  return createStore<BridgeState>()(() => ({ available: 'branchline' in target }));
}

const bridgeStore = createBridgeStore();

export function useBridgeStore<T>(selector: (state: BridgeState) => T): T {
  return useStore(bridgeStore, selector);
}
