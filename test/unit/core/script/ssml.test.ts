import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeSsml,
  fillPlaceholders,
  placeholdersOf,
  ssmlToText,
  toSsml,
} from '../../../../functions/core/script/ssml.ts';

describe('escapeSsml', () => {
  it('escapes the five XML special characters and nothing else', () => {
    expect(escapeSsml(`Tom & "Jerry" <3 'x' > y`)).toBe('Tom &amp; &quot;Jerry&quot; &lt;3 &apos;x&apos; &gt; y');
    expect(escapeSsml('Zażółć gęślą jaźń 123')).toBe('Zażółć gęślą jaźń 123');
  });
});

describe('fillPlaceholders', () => {
  it('fills attributes and leaves out placeholders without a value, with the space before them', () => {
    expect(fillPlaceholders('Hello {name}, this is {org}.', { name: 'Anna', org: 'the clinic' })).toBe(
      'Hello Anna, this is the clinic.',
    );
    expect(fillPlaceholders('Hello {name}, welcome.', {})).toBe('Hello, welcome.');
    expect(fillPlaceholders('Hello {name}, welcome.', { name: '   ' })).toBe('Hello, welcome.');
    expect(placeholdersOf('Hi {name} from {first-name}')).toEqual(['name', 'first-name']);
  });
});

describe('toSsml', () => {
  it('joins filled, escaped parts into one speak document with pauses', () => {
    expect(toSsml(['Hello {name}.', '', 'Press 1.'], { name: 'A & B' })).toBe(
      '<speak>Hello A &amp; B.<break time="300ms"/>Press 1.</speak>',
    );
    expect(toSsml([''], {})).toBe('');
  });

  it('always yields well-formed SSML that reads back as the filled text, whatever the attribute', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, template) => {
        const ssml = toSsml([`Hello {name}. ${template}`], { name });
        const inner = ssml.slice('<speak>'.length, -'</speak>'.length);
        expect(ssml.startsWith('<speak>') && ssml.endsWith('</speak>')).toBe(true);
        expect(inner).not.toMatch(/[<>"']/);
        expect(inner).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
        expect(ssmlToText(ssml)).toBe(
          fillPlaceholders(`Hello {name}. ${template}`, { name }).replace(/\s+/g, ' ').trim(),
        );
      }),
    );
  });
});
