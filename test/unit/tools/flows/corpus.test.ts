/**
 * The corpus of published flows (test/fixtures/contact-flows/real, SOURCES.md) passes the checker;
 * copies broken in one way each fail for that one reason, and only that one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Flow, FlowSchema } from '../../../../tools/flows/actions.ts';
import { checkFlow, type Problem } from '../../../../tools/flows/check.ts';

const directory = resolve(import.meta.dirname, '../../../fixtures/contact-flows/real');
const files = readdirSync(directory).filter((name) => name.endsWith('.json'));
const read = (name: string): Flow => FlowSchema.parse(JSON.parse(readFileSync(join(directory, name), 'utf8')));
const OPTIONS = { placeholders: new Set(['NextStepFunctionArn', 'RecordAnswerFunctionArn']) };
const errorsOf = (input: unknown): Problem[] =>
  checkFlow(input, OPTIONS).filter((problem) => problem.severity === 'error');

describe('the corpus of published flows', () => {
  it('holds at least 20 flows', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s passes the checker', (name) => {
    expect(errorsOf(JSON.parse(readFileSync(join(directory, name), 'utf8')))).toEqual([]);
  });
});

describe('broken copies of published flows fail for their one reason', () => {
  const lambdaFlow = 'rules-engine-integration.json';
  const menuFlow = 'rules-engine-dtmf-menu.json';

  it('a dangling transition', () => {
    const flow = read(menuFlow);
    const action = flow.Actions.find((candidate) => candidate.Transitions.NextAction !== undefined);
    if (action === undefined) throw new Error('no action with a NextAction');
    action.Transitions.NextAction = 'no-such-action';

    const problems = errorsOf(flow);

    expect(problems.map((problem) => problem.message)).toContain('transition to missing action "no-such-action"');
    // The old target may have lost its only way in; nothing else is wrong.
    expect(problems.every((problem) => /missing action|unreachable/.test(problem.message))).toBe(true);
  });

  it('a missing error branch on a Lambda invocation', () => {
    const flow = read(lambdaFlow);
    const lambda = flow.Actions.find((action) => action.Type === 'InvokeLambdaFunction');
    if (lambda === undefined) throw new Error('no Lambda invocation');
    const removed = lambda.Transitions.Errors?.find((error) => error.ErrorType === 'NoMatchingError');
    lambda.Transitions.Errors = lambda.Transitions.Errors?.filter((error) => error !== removed);
    // Keep the error handler reachable some other way only if it was the one way in: drop it if now orphaned.
    const stillTargeted = flow.Actions.some((action) =>
      [
        action.Transitions.NextAction,
        ...(action.Transitions.Conditions ?? []).map((c) => c.NextAction),
        ...(action.Transitions.Errors ?? []).map((e) => e.NextAction),
      ].includes(removed?.NextAction),
    );
    if (!stillTargeted) flow.Actions = flow.Actions.filter((action) => action.Identifier !== removed?.NextAction);

    const problems = errorsOf(flow);

    expect(problems).toEqual([
      expect.objectContaining({
        where: `action "${lambda.Identifier}" (InvokeLambdaFunction)`,
        message: expect.stringMatching(/^must handle the NoMatchingError error/),
      }),
    ]);
  });

  it('a typo in an action type', () => {
    const flow = read(menuFlow);
    const prompt = flow.Actions.find((action) => action.Type === 'MessageParticipant');
    if (prompt === undefined) throw new Error('no prompt');
    prompt.Type = 'MessageParticpant';

    const problems = errorsOf(flow);

    expect(problems).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/unknown action type MessageParticpant.*did you mean MessageParticipant/),
      }),
    ]);
  });

  it('a placeholder without a deploy-time value', () => {
    const flow = read(lambdaFlow);
    const lambda = flow.Actions.find((action) => action.Type === 'InvokeLambdaFunction');
    if (lambda === undefined) throw new Error('no Lambda invocation');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow placeholder, not a template literal
    lambda.Parameters.LambdaFunctionARN = '${NextStepFuncionArn}';

    expect(errorsOf(flow)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/placeholder \$\{NextStepFuncionArn\} has no value/) }),
    ]);
  });

  it('an action nothing leads to', () => {
    const flow = read(menuFlow);
    flow.Actions.push({ Identifier: 'orphan', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} });

    expect(errorsOf(flow)).toEqual([
      expect.objectContaining({
        where: 'action "orphan" (DisconnectParticipant)',
        message: 'unreachable from StartAction',
      }),
    ]);
  });
});
