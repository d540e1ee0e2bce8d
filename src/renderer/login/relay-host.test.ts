// What the sign-in screen names as the relay's host, for addresses an agent might be sent in a phishing e-mail.
import { describe, expect, it } from 'vitest';
import { relayHostOf } from './relay-host';

describe('the relay host on the sign-in screen', () => {
  it.each([
    ['wss://relay.bank.example', 'relay.bank.example', true],
    ['  https://Relay.Bank.Example:8443/base  ', 'relay.bank.example:8443', true],
    ['wss://relay.bank.example@phish.example/', 'phish.example', true],
    ['wss://relay.bänk.example', 'relay.xn--bnk-qla.example', true],
    ['ws://10.1.2.3:8787', '10.1.2.3:8787', false],
    ['http://relay.bank.example', 'relay.bank.example', false],
  ])('%s → %s', (address, host, encrypted) => {
    expect(relayHostOf(address)).toEqual({ host, encrypted });
  });

  it.each(['', 'relay.bank.example', 'ftp://relay.bank.example', 'wss://'])('names no host for %j', (address) => {
    expect(relayHostOf(address)).toBeNull();
  });
});
