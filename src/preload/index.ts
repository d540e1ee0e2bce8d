// Preload (sandboxed): the only bridge between the renderer and the main process.
// It will expose window.branchline with one function per contract method (see src/shared);
// until the contract exists it exposes nothing, so the renderer shows "not connected".
export {};
