import { describe, expect, it } from 'vitest';
import { type FlowData, isJsonPath, pathSegments, resolveValue } from '../../../../local/connect-simulator/jsonpath.ts';
import { decideKeypress } from '../../../../local/connect-simulator/keypad.ts';
import { randomStream } from '../../../../local/connect-simulator/random.ts';
import { KeypadSchema } from '../../../../local/connect-simulator/scenario.ts';

const data: FlowData = {
  ContactId: 'c-1',
  InitialContactId: 'c-1',
  Channel: 'VOICE',
  InstanceARN: 'arn:aws:connect:eu-west-1:000000000000:instance/i',
  CustomerEndpoint: { Address: '+48600000001', Type: 'TELEPHONE_NUMBER' },
  Attributes: { name: 'Anna', 'first name': 'Ann' },
  External: { prompt: '<speak>Hi</speak>', count: 3, nested: { a: 'b' } },
  StoredCustomerInput: 'Timeout',
};

describe('flow JSONPath references', () => {
  it('resolves the references flows use, in dotted and bracketed form', () => {
    expect(resolveValue(data, '$.Attributes.name')).toBe('Anna');
    expect(resolveValue(data, "$['Attributes']['first name']")).toBe('Ann');
    expect(resolveValue(data, '$.External.prompt')).toBe('<speak>Hi</speak>');
    expect(resolveValue(data, '$.External.count')).toBe('3');
    expect(resolveValue(data, '$.StoredCustomerInput')).toBe('Timeout');
    expect(resolveValue(data, '$.CustomerEndpoint.Address')).toBe('+48600000001');
  });

  it('resolves references to nothing (or to objects) as undefined and keeps static text as it is', () => {
    expect(resolveValue(data, '$.External.missing')).toBeUndefined();
    expect(resolveValue(data, '$.External.nested')).toBeUndefined();
    expect(resolveValue(data, '$.Attributes.toString')).toBeUndefined();
    expect(resolveValue(data, 'Hello $.Attributes.name')).toBe('Hello $.Attributes.name');
    expect(isJsonPath('$.External.x')).toBe(true);
    expect(pathSegments('$.a..b')).toBeUndefined();
  });
});

describe('decideKeypress', () => {
  const keypad = KeypadSchema.parse({
    invalidKeyProbability: 0.1,
    silenceProbability: 0.2,
    questions: { q1: { keys: { '1': 3, '2': 1 } } },
  });

  it('presses keys by the question’s weights, wrong keys and silence at their rates', () => {
    const random = randomStream(9, 'keypad-test');
    const counts: Record<string, number> = {};
    for (let index = 0; index < 4_000; index++) {
      const action = decideKeypress(keypad, random, { questionId: 'q1', validKeys: ['1', '2'] });
      const label = action.kind === 'SILENCE' ? 'silence' : action.invalid ? 'invalid' : action.key;
      counts[label] = (counts[label] ?? 0) + 1;
    }
    expect((counts.silence ?? 0) / 4_000).toBeCloseTo(0.2, 1);
    expect((counts.invalid ?? 0) / 4_000).toBeCloseTo(0.08, 1);
    expect((counts['1'] ?? 0) / ((counts['1'] ?? 0) + (counts['2'] ?? 0))).toBeCloseTo(0.75, 1);
  });

  it('answers a question without weights with its valid keys, evenly, and never presses # by mistake', () => {
    const random = randomStream(1, 'keypad-even');
    const pressed = new Set<string>();
    for (let index = 0; index < 500; index++) {
      const action = decideKeypress(KeypadSchema.parse({ invalidKeyProbability: 0.5, silenceProbability: 0 }), random, {
        questionId: 'other',
        validKeys: ['4', '5'],
      });
      if (action.kind === 'PRESS') pressed.add(action.key);
    }
    expect(pressed.has('4') && pressed.has('5')).toBe(true);
    expect(pressed.has('#')).toBe(false);
  });
});
