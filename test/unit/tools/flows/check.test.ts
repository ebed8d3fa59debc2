import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlow } from '../../../../tools/flows/check.ts';

const shipped = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../../contact-flows/outbound-survey.json'), 'utf8'),
);
const flow = (actions: unknown[], start = 'a') => ({ Version: '2019-10-30', StartAction: start, Actions: actions });
const disconnect = (id: string) => ({ Identifier: id, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} });
const message = (id: string, next: string) => ({
  Identifier: id,
  Type: 'MessageParticipant',
  Parameters: { Text: 'hi' },
  Transitions: { NextAction: next },
});

describe('checkFlow', () => {
  it('accepts the shipped outbound flow', () => {
    expect(checkFlow(shipped, new Set(['NextStepFunctionArn', 'RecordAnswerFunctionArn']))).toEqual([]);
  });

  it('names a transition to a missing action, an unknown type and an unreachable action', () => {
    const problems = checkFlow(
      flow([message('a', 'nowhere'), { ...disconnect('b'), Type: 'TransferToQueue' }, disconnect('c')]),
      new Set(),
    );

    expect(problems).toContain('action "a": transition to missing action "nowhere"');
    expect(problems).toContain('action "b": unknown action type TransferToQueue');
    expect(problems).toContain('action "c": unreachable from StartAction');
  });

  it('rejects placeholders without a deploy-time value and literal account ids', () => {
    const problems = checkFlow(
      flow([
        {
          Identifier: 'a',
          Type: 'InvokeLambdaFunction',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow placeholder, not a template literal
          Parameters: { LambdaFunctionARN: '${Missing}', Other: 'arn:aws:lambda:eu-west-1:123456789012:function:x' },
          Transitions: { NextAction: 'b' },
        },
        disconnect('b'),
      ]),
      new Set(),
    );

    // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow placeholder, not a template literal
    expect(problems).toContain('placeholder ${Missing} has no value at deploy time');
    expect(problems.some((problem) => problem.includes('account id'))).toBe(true);
  });

  it('reports the shape problems of something that is not a flow', () => {
    expect(checkFlow({ Version: '2017', Actions: [] }, new Set())).toEqual(
      expect.arrayContaining([expect.stringContaining('Version'), expect.stringContaining('StartAction')]),
    );
  });
  it('checks each action’s parameters: static values, exactly one prompt, STRING_MAP limits', () => {
    const problems = checkFlow(
      flow([
        {
          Identifier: 'a',
          Type: 'InvokeLambdaFunction',
          Parameters: { LambdaFunctionARN: 'arn', InvocationTimeLimitSeconds: '$.External.t' },
          Transitions: { NextAction: 'b', Errors: [{ NextAction: 'e', ErrorType: 'NoMatchingError' }] },
        },
        {
          Identifier: 'b',
          Type: 'GetParticipantInput',
          Parameters: { Text: 'x', SSML: '<speak>x</speak>', InputTimeLimitSeconds: '8', StoreInput: 'True' },
          Transitions: {
            NextAction: 'c',
            Conditions: [{ NextAction: 'c', Condition: { Operator: 'Equals', Operands: ['1'] } }],
            Errors: [{ NextAction: 'e', ErrorType: 'InputTimeLimitExceeded' }],
          },
        },
        {
          Identifier: 'c',
          Type: 'CheckOutboundCallStatus',
          Parameters: {},
          Transitions: {
            Conditions: [{ NextAction: 'e', Condition: { Operator: 'Equals', Operands: ['Busy'] } }],
            Errors: [{ NextAction: 'e', ErrorType: 'NoMatchingError' }],
          },
        },
        { Identifier: 'e', Type: 'DisconnectParticipant', Parameters: {}, Transitions: { NextAction: 'a' } },
      ]),
      new Set(),
    );

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"a" \(InvokeLambdaFunction\): Parameters.InvocationTimeLimitSeconds: a static integer/),
        expect.stringMatching(/"b" \(GetParticipantInput\): Parameters: at most one of Text, SSML/),
        expect.stringMatching(/"b" .*InputValidation is required if and only if StoreInput/),
        expect.stringMatching(/"b" .*takes no conditions when StoreInput is "True"/),
        expect.stringMatching(/"b" .*error type InputTimeLimitExceeded cannot occur here/),
        expect.stringMatching(/"b" .*must handle the NoMatchingError error/),
        expect.stringMatching(/"c" .*operand "Busy" is not one of CallAnswered/),
        expect.stringMatching(/"e" .*ends the flow and takes no transitions/),
      ]),
    );
  });

  it('finds placeholders anywhere in the file, Metadata included (the whole file goes through Fn::Sub)', () => {
    const problems = checkFlow(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow placeholder, not a template literal
      { ...flow([disconnect('a')]), Metadata: { description: 'ARNs are ${Placeholders}' } },
      new Set(),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow placeholder, not a template literal
    expect(problems).toContain('placeholder ${Placeholders} has no value at deploy time');
  });
});
