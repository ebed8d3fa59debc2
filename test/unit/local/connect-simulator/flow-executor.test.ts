import { describe, expect, it } from 'vitest';
import {
  createFlowExecutor,
  type FlowDetails,
  type FlowExecutionError,
  type LambdaInvoker,
  UnsupportedActionError,
  validateResponse,
} from '../../../../local/connect-simulator/flow-executor.ts';
import type { Flow } from '../../../../tools/flows/actions.ts';
import {
  fakeCall,
  fakeFlowFunctions,
  NEXT_STEP_ARN,
  ok,
  RECORD_ANSWER_ARN,
  shippedFlow,
  surveyCampaign,
} from './flow-fakes.ts';

const flow = shippedFlow();

async function run(options: Parameters<typeof fakeCall>[0], functions = fakeFlowFunctions(), invoke?: LambdaInvoker) {
  const fake = fakeCall(options);
  const result = await createFlowExecutor({ flow, invoke: invoke ?? functions.invoke })(fake.call);
  return { result, details: result.details as unknown as FlowDetails, functions, fake };
}

describe('the shipped outbound flow, executed against fake flow functions', () => {
  it('transfers to the campaign’s queue when the callee presses the transfer key ("press 0 for a person")', async () => {
    const queue = '66666666-7777-8888-9999-000000000000';
    const campaign = surveyCampaign({ transfer: { key: '0', queue, prompt: 'Please hold for a nurse.' } });

    const { result, details } = await run({ presses: ['2', '0'] }, fakeFlowFunctions(campaign));

    expect(result.disconnectReason).toBe('AGENT_DISCONNECT');
    expect(details).toMatchObject({ end: 'TRANSFERRED', transferredTo: queue });
    expect(details.said.at(-1)).toBe('Please hold for a nurse.');
    expect(details.path.slice(-3)).toEqual(['say-transfer', 'set-transfer-queue', 'transfer-to-queue']);
  });

  it('completes the script: greeting, questions along the branch, closing, then disconnects', async () => {
    const { result, details, functions } = await run({ presses: ['2', '1'] });

    expect(result.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    expect(details.end).toBe('DISCONNECTED');
    expect(functions.answers).toEqual([
      { questionId: 'q1', key: '2', scriptVersion: 1 },
      { questionId: 'q2', key: '1', scriptVersion: 1 },
    ]);
    expect(details.said).toEqual([
      'Hello Anna, this is your health centre. Vaccinated? Press 1 for yes, 2 for no.',
      'Want instructions? Press 1 for yes, 2 for no.',
      'Thank you. Goodbye.',
    ]);
    expect(details.presses.map((press) => [press.questionId, press.kind, press.input])).toEqual([
      ['q1', 'KEY', '2'],
      ['q2', 'KEY', '1'],
    ]);
    expect(details.voice).toBe('Joanna');
    expect(details.path.at(-1)).toBe('hang-up');
    expect(details.lambda.map((invocation) => [invocation.function, invocation.response?.result ?? ''])).toEqual([
      ['campaign-engine-test-nextStep', ''],
      ['campaign-engine-test-recordAnswer', 'RECORDED'],
      ['campaign-engine-test-recordAnswer', 'RECORDED'],
    ]);
  });

  it('sends Connect’s ContactFlowEvent: contact data, attributes and the action’s parameters as strings', async () => {
    const { functions } = await run({ presses: ['1'] });
    const [, record] = functions.invocations;

    expect(record?.event).toMatchObject({
      Name: 'ContactFlowEvent',
      Details: {
        ContactData: {
          Attributes: { campaignId: 'flow-test', runDate: '2026-11-22', attempt: '1', name: 'Anna' },
          Channel: 'VOICE',
          ContactId: '11111111-2222-3333-4444-555555555555',
          CustomerEndpoint: { Address: '+48600000001', Type: 'TELEPHONE_NUMBER' },
          InitiationMethod: 'API',
          InstanceARN: 'arn:aws:connect:eu-west-1:000000000000:instance/instance',
          SystemEndpoint: { Address: '+48221234567', Type: 'TELEPHONE_NUMBER' },
        },
        Parameters: { questionId: 'q1', retry: '0', answered: '0', scriptVersion: '1', input: '1' },
      },
    });
  });

  it('re-prompts after an invalid key and records the valid one that follows', async () => {
    const { details, functions } = await run({ presses: ['7', '1'] });

    expect(details.presses.map((press) => [press.kind, press.input])).toEqual([
      ['INVALID_KEY', '7'],
      ['KEY', '1'],
    ]);
    expect(details.said[1]).toBe('Sorry, that key is not valid. Vaccinated? Press 1 for yes, 2 for no.');
    expect(functions.answers).toEqual([{ questionId: 'q1', key: '1', scriptVersion: 1 }]);
  });

  it('waits out silence, re-prompts up to maxRetries, then closes without an answer', async () => {
    const { details, functions, fake } = await run({ presses: ['silence', 'silence', 'silence'] });

    expect(details.presses.map((press) => press.input)).toEqual(['Timeout', 'Timeout', 'Timeout']);
    expect(details.said.filter((text) => text.startsWith('Sorry, I did not hear a key.'))).toHaveLength(2);
    expect(details.said.at(-1)).toBe('Thank you. Goodbye.');
    expect(details.path.filter((id) => id === 'collect-key-8s')).toHaveLength(3);
    expect(functions.answers).toEqual([]);
    expect(fake.elapsed()).toBeGreaterThanOrEqual(3 * 8_000);
  });

  it('rounds a question’s input timeout up to an input block the flow has', async () => {
    const campaign = surveyCampaign({
      questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'One' }, inputTimeoutSeconds: 12 }],
    });
    const { details } = await run({ presses: ['1'] }, fakeFlowFunctions(campaign));

    expect(details.path).toContain('collect-key-15s');
  });

  it('stops where the callee hangs up, keeping the answers given before', async () => {
    const { result, details, functions } = await run({ presses: ['2', '1'], hangUpAtMs: 12_000 });

    expect(result.disconnectReason).toBe('CUSTOMER_DISCONNECT');
    expect(details.end).toBe('HUNG_UP');
    expect(functions.answers.map((answer) => answer.questionId)).toEqual(['q1']);
    expect(details.presses).toHaveLength(1);
    expect(details.path.at(-1)).not.toBe('hang-up');
  });

  it('opts the callee out with the opt-out key: message, no answer, call ends', async () => {
    const { details, functions } = await run({ presses: ['9'] });

    expect(functions.optOuts).toEqual(['+48600000001']);
    expect(functions.answers).toEqual([]);
    expect(details.lambda.at(-1)?.response?.result).toBe('OPT_OUT');
    expect(details.said.at(-1)).toBe('You will not be called again. Goodbye.');
  });

  it('leaves the campaign’s voicemail message on an answering machine, without asking anything', async () => {
    const { details, fake } = await run({ amdStatus: 'VOICEMAIL_BEEP' });

    expect(fake.attributesSet).toEqual({ callProgress: 'VOICEMAIL' });
    expect(details.said).toEqual(['Please call the health centre back.']);
    expect(details.presses).toEqual([]);
  });

  it('hangs up on an answering machine without a word when the campaign says so', async () => {
    const campaign = surveyCampaign({ voicemail: { action: 'HANG_UP' } });
    const { details } = await run({ amdStatus: 'VOICEMAIL_NO_BEEP' }, fakeFlowFunctions(campaign));

    expect(details.said).toEqual([]);
    expect(details.path.slice(-2)).toEqual(['route-step', 'hang-up']);
  });

  it('asks a machine the questions when AMD is off, and the machine presses nothing', async () => {
    const fake = fakeCall({ presses: ['1'] });
    const voicemail = { ...fake.call, callee: { ...fake.call.callee, outcome: 'VOICEMAIL' as const } };
    const result = await createFlowExecutor({ flow, invoke: fakeFlowFunctions().invoke })(voicemail);
    const details = result.details as unknown as FlowDetails;

    expect(details.presses.map((press) => press.kind)).toEqual(['SILENCE', 'SILENCE', 'SILENCE']);
  });

  it('runs the survey when AMD answers human, is unsure, or is not enabled at all', async () => {
    for (const amdStatus of ['HUMAN_ANSWERED', 'AMD_UNRESOLVED', undefined] as const) {
      const { details } = await run({ presses: ['1'], amdStatus });
      expect(details.presses, String(amdStatus)).toHaveLength(1);
    }
  });

  it('reads names out literally: SSML special characters in attributes are escaped', async () => {
    const { details } = await run({ presses: ['1'], attributes: { name: 'Tom & "Jerry" <3' } });

    expect(details.said[0]).toBe(
      'Hello Tom & "Jerry" <3, this is your health centre. Vaccinated? Press 1 for yes, 2 for no.',
    );
    expect(details.path).not.toContain('next-step-failed');
  });

  it('retries a failed invocation like Connect and goes on when a retry succeeds', async () => {
    const functions = fakeFlowFunctions();
    functions.failures.recordAnswer = 2;
    const { details } = await run({ presses: ['1'] }, functions);

    expect(details.lambda[1]).toMatchObject({ attempts: 3, ok: true });
    expect(functions.answers).toHaveLength(1);
  });

  it('ends the call politely and records why when a flow function keeps failing', async () => {
    const functions = fakeFlowFunctions();
    functions.failures.recordAnswer = 10;
    const { result, details, fake } = await run({ presses: ['1'] }, functions);

    expect(details.lambda[1]).toMatchObject({ attempts: 4, ok: false });
    expect(fake.attributesSet).toEqual({ flowError: 'RECORD_ANSWER_FAILED' });
    expect(details.said.at(-1)).toBe(
      'We are sorry, we cannot continue this call now. We will try again later. Goodbye.',
    );
    expect(result.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
  });

  it('takes the error branch at once for a response that is not a STRING_MAP', async () => {
    const invoke: LambdaInvoker = async () => ok({ action: 'ASK', nested: { not: 'flat' } });
    const { details, fake } = await run({}, fakeFlowFunctions(), invoke);

    expect(details.lambda[0]).toMatchObject({ attempts: 1, ok: false, error: expect.stringContaining('nested') });
    expect(fake.attributesSet).toEqual({ flowError: 'NEXT_STEP_FAILED' });
  });

  it('gives up on a function that does not answer within InvocationTimeLimitSeconds', async () => {
    let now = 0;
    const slow: LambdaInvoker = async ({ timeoutMs }) => {
      now += timeoutMs;
      return { kind: 'TIMEOUT' };
    };
    const fake = fakeCall({});
    const result = await createFlowExecutor({ flow, invoke: slow, now: () => now })(fake.call);
    const details = result.details as unknown as FlowDetails;

    expect(details.lambda[0]).toMatchObject({ attempts: 1, ok: false, error: 'no response within 8000 ms' });
    expect(fake.attributesSet).toEqual({ flowError: 'NEXT_STEP_FAILED' });
  });

  it('leaves counts unchanged when Connect invokes record-answer again after a lost response', async () => {
    const functions = fakeFlowFunctions();
    const { details } = await run(
      { presses: ['2', '1'], scenario: { seed: 3, faults: { lambdaRetryProbability: 0.5 } } },
      functions,
    );
    const recordCalls = functions.invocations.filter((invocation) => invocation.function === 'recordAnswer');

    expect(recordCalls.length).toBeGreaterThan(2);
    expect(functions.answers).toEqual([
      { questionId: 'q1', key: '2', scriptVersion: 1 },
      { questionId: 'q2', key: '1', scriptVersion: 1 },
    ]);
    expect(details.end).toBe('DISCONNECTED');
  });

  it('fails the call with an error naming an action type it does not implement', async () => {
    const unknown: Flow = {
      Version: '2019-10-30',
      StartAction: 'task',
      Actions: [{ Identifier: 'task', Type: 'CreateTask', Parameters: {}, Transitions: {} }],
    };
    const fake = fakeCall({});
    const attempt = createFlowExecutor({ flow: unknown, invoke: fakeFlowFunctions().invoke })(fake.call);

    await expect(attempt).rejects.toThrow(UnsupportedActionError);
    await expect(attempt).rejects.toThrow(/CreateTask.*"task"/);
    await attempt.catch((error: FlowExecutionError) => expect(error.details.end).toBe('FAILED'));
  });

  it('branches on the key in menu mode (StoreInput False) and times out into InputTimeLimitExceeded', async () => {
    const menu: Flow = {
      Version: '2019-10-30',
      StartAction: 'menu',
      Actions: [
        {
          Identifier: 'menu',
          Type: 'GetParticipantInput',
          Parameters: { Text: 'Press 1 or 2.', InputTimeLimitSeconds: '5', StoreInput: 'False' },
          Transitions: {
            Conditions: [
              { NextAction: 'one', Condition: { Operator: 'Equals', Operands: ['1'] } },
              { NextAction: 'end', Condition: { Operator: 'Equals', Operands: ['2'] } },
            ],
            Errors: [
              { NextAction: 'timeout', ErrorType: 'InputTimeLimitExceeded' },
              { NextAction: 'end', ErrorType: 'NoMatchingCondition' },
              { NextAction: 'end', ErrorType: 'NoMatchingError' },
            ],
          },
        },
        {
          Identifier: 'one',
          Type: 'MessageParticipant',
          Parameters: { Text: 'One.' },
          Transitions: { NextAction: 'end' },
        },
        {
          Identifier: 'timeout',
          Type: 'MessageParticipant',
          Parameters: { Text: 'Nothing.' },
          Transitions: { NextAction: 'end' },
        },
        { Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
      ],
    };
    const executor = createFlowExecutor({ flow: menu, invoke: fakeFlowFunctions().invoke });
    const pressed = (await executor(fakeCall({ presses: ['1'] }).call)).details as unknown as FlowDetails;
    const silent = (await executor(fakeCall({ presses: ['silence'] }).call)).details as unknown as FlowDetails;

    expect(pressed.said).toEqual(['Press 1 or 2.', 'One.']);
    expect(silent.said).toEqual(['Press 1 or 2.', 'Nothing.']);
  });
});

describe('validateResponse', () => {
  it('accepts a flat string map and refuses other values, non-objects and oversized responses', () => {
    expect(validateResponse('{"a":"1"}', 'STRING_MAP')).toEqual({ a: '1' });
    expect(validateResponse('{"a":1}', 'STRING_MAP')).toMatch(/"a" is not a string/);
    expect(validateResponse('{"a":{"b":"c"}}', 'JSON')).toEqual({ a: { b: 'c' } });
    expect(validateResponse('"text"', 'JSON')).toBe('response is not an object');
    expect(validateResponse(JSON.stringify({ a: 'x'.repeat(40_000) }), 'STRING_MAP')).toMatch(/larger than/);
  });
});

describe('fake function ARNs', () => {
  it('are what the shipped flow invokes once substituted', () => {
    const arns = flow.Actions.filter((action) => action.Type === 'InvokeLambdaFunction').map(
      (action) => action.Parameters.LambdaFunctionARN,
    );
    expect(new Set(arns)).toEqual(new Set([NEXT_STEP_ARN, RECORD_ANSWER_ARN]));
  });
});
