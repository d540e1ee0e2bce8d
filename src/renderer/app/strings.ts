// Every user-facing string, in one place, ready for translation.
export const strings = {
  productName: 'Branchline',
  workspace: 'Workspace',
  connection: {
    bridgeMissing: 'Not connected: the console service is not available in this window.',
    bridgeReady: 'Console service available',
  },
} as const;
