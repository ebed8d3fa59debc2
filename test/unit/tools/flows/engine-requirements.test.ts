import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Flow, FlowSchema } from '../../../../tools/flows/actions.ts';
import { checkEngineRequirements } from '../../../../tools/flows/engine-requirements.ts';

const read = (path: string): Flow =>
  FlowSchema.parse(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../..', path), 'utf8')));
const shipped = () => read('contact-flows/outbound-survey.json');
const messages = (flow: Flow) =>
  checkEngineRequirements(flow).map((problem) => `${problem.severity}: ${problem.message}`);

describe('checkEngineRequirements (bring your own flow)', () => {
  it('finds nothing missing in the shipped flow', () => {
    expect(checkEngineRequirements(shipped())).toEqual([]);
  });

  it('names what a flow that is not the engine’s lacks', () => {
    const problems = messages(read('test/fixtures/contact-flows/real/rules-engine-dtmf-menu.json'));

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error: .*no InvokeLambdaFunction of \$\{NextStepFunctionArn\}/),
        expect.stringMatching(/^error: .*no InvokeLambdaFunction of \$\{RecordAnswerFunctionArn\}/),
        expect.stringMatching(/^error: .*no Compare on \$\.External\.action/),
        expect.stringMatching(/^error: .*no GetParticipantInput with StoreInput "True"/),
      ]),
    );
  });

  it('names a record-answer invocation that does not hand over the key, and a missing TRANSFER branch', () => {
    const flow = shipped();
    const recordAnswer = flow.Actions.find((action) => action.Identifier === 'record-answer');
    const route = flow.Actions.find((action) => action.Identifier === 'route-step');
    if (recordAnswer === undefined || route === undefined) throw new Error('the shipped flow changed');
    delete (recordAnswer.Parameters.LambdaInvocationAttributes as Record<string, string>).input;
    route.Transitions.Conditions = route.Transitions.Conditions?.filter(
      (condition) => !condition.Condition.Operands.includes('TRANSFER'),
    );

    expect(messages(flow)).toEqual([
      expect.stringMatching(/^error: .*LambdaInvocationAttributes\.input must be "\$\.StoredCustomerInput"/),
      expect.stringMatching(/^warning: .*no TRANSFER branch/),
    ]);
  });
});
