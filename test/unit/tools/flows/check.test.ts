import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlow, type Problem } from '../../../../tools/flows/check.ts';

const shipped = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../../contact-flows/outbound-survey.json'), 'utf8'),
);
const ENGINE = { placeholders: new Set(['NextStepFunctionArn', 'RecordAnswerFunctionArn']), strict: true };
const NONE = { placeholders: new Set<string>() };
const flow = (actions: unknown[], start = 'a') => ({ Version: '2019-10-30', StartAction: start, Actions: actions });
const disconnect = (id: string) => ({ Identifier: id, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} });
const message = (id: string, next: string) => ({
  Identifier: id,
  Type: 'MessageParticipant',
  Parameters: { Text: 'hi' },
  Transitions: { NextAction: next },
});
const errors = (problems: Problem[]) =>
  problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.where}: ${problem.message}`);
const warnings = (problems: Problem[]) =>
  problems.filter((problem) => problem.severity === 'warning').map((problem) => `${problem.where}: ${problem.message}`);

describe('checkFlow', () => {
  it('accepts the shipped outbound flow under --strict', () => {
    expect(errors(checkFlow(shipped, ENGINE))).toEqual([]);
  });

  it('names a transition to a missing action, a typo in a type (with the nearest type) and an unreachable action', () => {
    const problems = errors(
      checkFlow(
        flow([message('a', 'nowhere'), { ...disconnect('b'), Type: 'DisconnectParticpant' }, disconnect('c')]),
        NONE,
      ),
    );

    expect(problems).toContain('action "a" (MessageParticipant): transition to missing action "nowhere"');
    expect(problems).toContainEqual(
      expect.stringMatching(/"b" \(DisconnectParticpant\): unknown action type .*did you mean DisconnectParticipant/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/"c" .*unreachable from StartAction/));
  });

  it('knows Connect’s catalogue: Loop, TransferToFlow, UpdateFlowLoggingBehavior, UpdateContactEventHooks, Lex', () => {
    const problems = checkFlow(
      flow([
        {
          Identifier: 'a',
          Type: 'UpdateFlowLoggingBehavior',
          Parameters: { FlowLoggingBehavior: 'Enabled' },
          Transitions: { NextAction: 'b' },
        },
        {
          Identifier: 'b',
          Type: 'UpdateContactEventHooks',
          Parameters: { EventHooks: { CustomerQueue: 'flow-id' } },
          Transitions: { NextAction: 'c', Errors: [{ NextAction: 'z', ErrorType: 'NoMatchingError' }] },
        },
        {
          Identifier: 'c',
          Type: 'Loop',
          Parameters: { LoopCount: '3' },
          Transitions: {
            Conditions: [
              { NextAction: 'd', Condition: { Operator: 'Equals', Operands: ['ContinueLooping'] } },
              { NextAction: 'e', Condition: { Operator: 'Equals', Operands: ['DoneLooping'] } },
            ],
          },
        },
        {
          Identifier: 'd',
          Type: 'ConnectParticipantWithLexBot',
          Parameters: { Text: 'How can I help?', LexV2Bot: { AliasArn: '$.Attributes.bot' } },
          Transitions: {
            NextAction: 'c',
            Conditions: [{ NextAction: 'c', Condition: { Operator: 'Equals', Operands: ['Sales'] } }],
            Errors: [{ NextAction: 'c', ErrorType: 'NoMatchingCondition' }],
          },
        },
        {
          Identifier: 'e',
          Type: 'UpdateContactTextToSpeechVoice',
          Parameters: { TextToSpeechVoice: 'Joanna' },
          Transitions: { NextAction: 'f' },
        },
        {
          Identifier: 'f',
          Type: 'TransferToFlow',
          Parameters: { ContactFlowId: 'other-flow' },
          Transitions: { NextAction: 'z', Errors: [{ NextAction: 'z', ErrorType: 'NoMatchingError' }] },
        },
        disconnect('z'),
      ]),
      NONE,
    );

    expect(errors(problems)).toEqual([]);
  });

  it('takes a hard-coded ARN or account id as a whole token only: a warning naming the placeholder, an error under --strict', () => {
    const withIds = flow([
      {
        Identifier: 'a',
        Type: 'InvokeLambdaFunction',
        Parameters: {
          LambdaFunctionARN: 'arn:aws:lambda:eu-west-1:123456789012:function:campaign-engine-dev-nextStep',
          InvocationTimeLimitSeconds: '8',
          LambdaInvocationAttributes: { account: '210987654321' },
        },
        Transitions: { NextAction: 'b', Errors: [{ NextAction: 'b', ErrorType: 'NoMatchingError' }] },
      },
      // The last group of a UUID is twelve digits, and longer numbers contain twelve: neither is an account id.
      {
        Identifier: 'b',
        Type: 'UpdateContactAttributes',
        Parameters: { Attributes: { flow: '7136b212-66af-4bd9-8913-123456789012', big: '1234567890123' } },
        Transitions: { NextAction: 'c' },
      },
      disconnect('c'),
    ]);
    // The designer writes block positions as floats: their decimals are not account ids either.
    Object.assign(withIds, { Metadata: { ActionMetadata: { c: { position: { x: 10206.400000000001, y: 12.5 } } } } });

    const loose = checkFlow(withIds, NONE);
    expect(errors(loose)).toEqual([]);
    expect(warnings(loose)).toEqual([
      expect.stringMatching(/"a" .*hard-coded ARN arn:aws:lambda:.*nextStep .*\$\{NextStepFunctionArn\}/),
      expect.stringMatching(/"a" .*hard-coded account id 210987654321/),
    ]);
    expect(errors(checkFlow(withIds, { ...NONE, strict: true }))).toHaveLength(2);
  });

  it('names the older export format once, with how to export the flow language', () => {
    const legacy = JSON.parse(
      readFileSync(
        resolve(import.meta.dirname, '../../../fixtures/contact-flows/legacy/voicemail-greeting-did.json'),
        'utf8',
      ),
    );

    const problems = checkFlow(legacy, NONE);

    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/older Amazon Connect export format .*describe-contact-flow/);
  });

  it('reports the shape problems of something that is not a flow', () => {
    expect(errors(checkFlow({ Version: '2017', Actions: [] }, NONE))).toEqual(
      expect.arrayContaining([expect.stringContaining('Version'), expect.stringContaining('StartAction')]),
    );
  });

  it('warns about actions the simulator cannot run', () => {
    const problems = checkFlow(
      flow([
        { Identifier: 'a', Type: 'CreateTask', Parameters: {}, Transitions: { NextAction: 'b' } },
        disconnect('b'),
      ]),
      NONE,
    );

    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)).toEqual([expect.stringMatching(/"a" .*simulator cannot run CreateTask/)]);
  });

  it('checks each action’s parameters: static values, exactly one prompt, STRING_MAP limits', () => {
    const problems = errors(
      checkFlow(
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
        NONE,
      ),
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
    const problems = errors(
      checkFlow(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow placeholder, not a template literal
        { ...flow([disconnect('a')]), Metadata: { description: 'ARNs are ${Placeholders} in ${AWS::Region}' } },
        NONE,
      ),
    );

    expect(problems).toEqual([expect.stringMatching(/placeholder \$\{Placeholders\} has no value at deploy time/)]);
  });
});
