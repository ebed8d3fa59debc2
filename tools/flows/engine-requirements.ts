/**
 * "Bring your own flow": what a flow must do for the engine to run a campaign through it
 * (docs/contact-flow.md, "Bring your own flow"). The engine's script lives in two Lambda functions
 * (functions/flow/next-step.ts, record-answer.ts); a flow is the engine's when it asks them what to
 * do and does it. Each missing piece is reported with what it breaks, so an operator who adapted an
 * exported flow in the designer knows what is left. The reference implementation is
 * contact-flows/outbound-survey.json, which satisfies every rule here (checked by `npm test`).
 */
import { type Flow, type FlowAction, isTrue, transitionTargets } from './actions.ts';
import type { Problem } from './check.ts';

/** Step actions the engine's functions answer with (`$.External.action`, functions/core/script/flow-steps.ts). */
export const ENGINE_STEP_ACTIONS = ['ASK', 'CLOSE', 'VOICEMAIL', 'HANG_UP'] as const;
/** Input timeouts next-step may ask for (`$.External.inputTimeout`, INPUT_TIMEOUT_CHOICES). */
export const ENGINE_INPUT_TIMEOUTS = ['5', '8', '15', '30'] as const;
/** What the flow hands record-answer (RecordAnswerParametersSchema in functions/flow/record-answer.ts). */
export const RECORD_ANSWER_ATTRIBUTES: Readonly<Record<string, string>> = {
  questionId: '$.External.questionId',
  retry: '$.External.retry',
  answered: '$.External.answered',
  scriptVersion: '$.External.scriptVersion',
  input: '$.StoredCustomerInput',
};

/** Problems that keep `flow` from running the engine's campaigns; `severity` for each. */
export function checkEngineRequirements(flow: Flow, severity: Problem['severity'] = 'error'): Problem[] {
  const problems: Problem[] = [];
  const lack = (message: string, where?: string) =>
    problems.push({ severity, ...(where !== undefined && { where }), message: `for the engine: ${message}` });
  const reachable = reachableActions(flow);
  const lambdas = reachable.filter((action) => action.Type === 'InvokeLambdaFunction');
  const invoking = (placeholder: string) =>
    lambdas.filter((action) => action.Parameters.LambdaFunctionARN === `\${${placeholder}}`);

  const nextStep = invoking('NextStepFunctionArn');
  const recordAnswer = invoking('RecordAnswerFunctionArn');
  if (nextStep.length === 0) {
    lack(
      `no InvokeLambdaFunction of \${NextStepFunctionArn} reachable from the start: the call never asks the campaign for its greeting and first question`,
    );
  }
  if (recordAnswer.length === 0) {
    lack(
      `no InvokeLambdaFunction of \${RecordAnswerFunctionArn}: keys pressed are never recorded and the call never gets its next step`,
    );
  }
  for (const action of [...nextStep, ...recordAnswer]) {
    const where = `action "${action.Identifier}" (InvokeLambdaFunction)`;
    const response = (action.Parameters.ResponseValidation as { ResponseType?: string } | undefined)?.ResponseType;
    if (response !== 'STRING_MAP') {
      lack('ResponseValidation.ResponseType must be STRING_MAP (the functions answer a flat map)', where);
    }
    if (action.Parameters.InvocationType === 'ASYNCHRONOUS') {
      lack('the invocation must be synchronous: the flow needs the answer', where);
    }
  }
  for (const action of recordAnswer) {
    const given = (action.Parameters.LambdaInvocationAttributes ?? {}) as Record<string, unknown>;
    for (const [name, reference] of Object.entries(RECORD_ANSWER_ATTRIBUTES)) {
      if (given[name] !== reference) {
        lack(
          `LambdaInvocationAttributes.${name} must be "${reference}" (record-answer reads the question asked from it)`,
          `action "${action.Identifier}" (InvokeLambdaFunction)`,
        );
      }
    }
  }

  const routes = reachable.filter(
    (action) => action.Type === 'Compare' && action.Parameters.ComparisonValue === '$.External.action',
  );
  if (routes.length === 0) {
    lack('no Compare on $.External.action: the flow cannot do what the functions answer (ASK, CLOSE, …)');
  }
  for (const route of routes) {
    const operands = new Set((route.Transitions.Conditions ?? []).flatMap((condition) => condition.Condition.Operands));
    const missing = ENGINE_STEP_ACTIONS.filter((step) => !operands.has(step));
    if (missing.length > 0) {
      lack(`no branch for ${missing.join(', ')}`, `action "${route.Identifier}" (Compare)`);
    }
    if (!operands.has('TRANSFER')) {
      problems.push({
        severity: 'warning',
        where: `action "${route.Identifier}" (Compare)`,
        message:
          'for the engine: no TRANSFER branch: a campaign with `script.transfer` ("press 0 for a person") ends the call instead of queueing it',
      });
    }
  }

  const inputs = reachable.filter(
    (action) =>
      action.Type === 'GetParticipantInput' &&
      isTrue(action.Parameters.StoreInput) &&
      action.Parameters.SSML === '$.External.prompt',
  );
  if (inputs.length === 0) {
    lack(
      'no GetParticipantInput with StoreInput "True" and SSML "$.External.prompt": questions are never asked (the key is stored for record-answer)',
    );
  }
  const timeouts = new Set(inputs.map((action) => String(action.Parameters.InputTimeLimitSeconds)));
  const missingTimeouts = ENGINE_INPUT_TIMEOUTS.filter((seconds) => !timeouts.has(seconds));
  if (inputs.length > 0 && missingTimeouts.length > 0) {
    problems.push({
      severity: 'warning',
      message: `for the engine: no input block waits ${missingTimeouts.join(', ')} s: questions with that inputTimeout wait for another block's time (route on $.External.inputTimeout)`,
    });
  }
  const says = reachable.some(
    (action) => action.Type === 'MessageParticipant' && action.Parameters.SSML === '$.External.prompt',
  );
  if (!says) {
    lack('no MessageParticipant playing SSML "$.External.prompt": closings and voicemail messages are never said');
  }
  const marksVoicemail = reachable.some(
    (action) =>
      action.Type === 'UpdateContactAttributes' &&
      (action.Parameters.Attributes as Record<string, unknown> | undefined)?.callProgress === 'VOICEMAIL',
  );
  if (!marksVoicemail) {
    problems.push({
      severity: 'warning',
      message:
        'for the engine: no UpdateContactAttributes setting callProgress to VOICEMAIL (after CheckOutboundCallStatus): answering machines get the survey instead of the voicemail message',
    });
  }
  return problems;
}

function reachableActions(flow: Flow): FlowAction[] {
  const byId = new Map(flow.Actions.map((action) => [action.Identifier, action]));
  const seen = new Set<string>();
  const queue = [flow.StartAction];
  const found: FlowAction[] = [];
  while (queue.length > 0) {
    const id = queue.pop();
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    const action = byId.get(id);
    if (action === undefined) continue;
    found.push(action);
    queue.push(...transitionTargets(action));
  }
  return found;
}
