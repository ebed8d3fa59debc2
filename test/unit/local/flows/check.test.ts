import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlow } from '../../../../local/flows/check.ts';

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
});
