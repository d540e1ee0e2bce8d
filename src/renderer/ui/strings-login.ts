// Strings of signing in: the relay address, the bank's single sign-on and the agent token, and the calm prompt when a
// session has ended and the agent must sign in again.

const messages = (n: number) => `${n} ${n === 1 ? 'message is' : 'messages are'}`;

export const loginStrings = {
  region: 'Sign in',
  title: 'Sign in to Branchline',
  intro: 'Enter the relay address your supervisor gave you, then sign in.',
  credentialsNeeded: 'The relay no longer accepts your token. Enter a new one; your queued messages are kept.',
  relayUrl: 'Relay address',
  urlPlaceholder: 'wss://relay.example.bank',
  lockedUrl: 'Set by your IT department.',
  /** Before the host, so an agent sees where the token goes ("Relay: relay.bank.example"). */
  relayHost: 'Relay:',
  notEncrypted: '(not encrypted: only on this computer, or where IT allows it)',
  token: 'Agent token',
  badUrl: 'The relay address must start with wss://, ws://, https:// or http://.',
  shortToken: 'The agent token is at least 8 characters long.',
  tokenHint: 'Check the token with your supervisor and try again.',
  signIn: 'Sign in',
  signingIn: 'Signing in…',

  /** Single sign-on through the bank's identity provider (Entra ID, ADFS, Keycloak, Okta…). */
  checkingMethods: 'Checking how this relay signs you in…',
  retryMethods: 'Try again',
  sso: 'Sign in with your bank account',
  ssoStarting: 'Opening your bank’s sign-in page…',
  ssoWaiting: 'Continue in your browser…',
  ssoWaitingHelp: 'Sign in on the page that opened in your browser, then come back here.',
  ssoCancel: 'Cancel',
  ssoFailed: 'Signing in with your bank account did not work:',
  ssoRefused: 'The relay did not accept the answer from your bank’s sign-in page. Try again; if it keeps happening, call IT.',
  /** Shown when the relay also takes agent tokens: the token is the second way in. */
  useToken: 'Use an agent token instead',
  orToken: 'Or sign in with an agent token',

  /** The device session ended (expired, revoked, or refreshing was refused). */
  againTitle: 'Your session has ended',
  againBody: (name: string | null) => `Sign in again to continue${name === null ? '' : ` as ${name}`}.`,
  againQueued: (n: number) => `${messages(n)} waiting. They will be sent after you sign in.`,
  againDrafts: 'Your conversations and anything you were typing stay as they are.',
};
