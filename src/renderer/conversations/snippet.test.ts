// Search snippet markers turned into highlighted segments.
import { describe, expect, it } from 'vitest';
import { snippetSegments, snippetText } from './snippet';

describe('snippetSegments', () => {
  it('splits marked words into highlighted runs', () => {
    expect(snippetSegments('…my \u0001card\u0002 was \u0001swallowed\u0002 by…')).toEqual([
      { text: '…my ', match: false },
      { text: 'card', match: true },
      { text: ' was ', match: false },
      { text: 'swallowed', match: true },
      { text: ' by…', match: false },
    ]);
  });

  it('handles a match at either end, adjacent matches and no match', () => {
    expect(snippetSegments('\u0001loan\u0002')).toEqual([{ text: 'loan', match: true }]);
    expect(snippetSegments('\u0001loan\u0002\u0001statement\u0002')).toEqual([{ text: 'loanstatement', match: true }]);
    expect(snippetSegments('nothing matched')).toEqual([{ text: 'nothing matched', match: false }]);
    expect(snippetSegments('')).toEqual([]);
  });

  it('survives markers that do not pair up (a cut snippet)', () => {
    expect(snippetSegments('ends in \u0001the middle')).toEqual([
      { text: 'ends in ', match: false },
      { text: 'the middle', match: true },
    ]);
    expect(snippetSegments('stray\u0002 close')).toEqual([{ text: 'stray close', match: false }]);
  });

  it('keeps right-to-left text and emoji whole', () => {
    expect(snippetSegments('שלום \u0001עולם\u0002 👋')).toEqual([
      { text: 'שלום ', match: false },
      { text: 'עולם', match: true },
      { text: ' 👋', match: false },
    ]);
  });
});

describe('snippetText', () => {
  it('drops the markers', () => {
    expect(snippetText('my \u0001card\u0002')).toBe('my card');
  });
});
