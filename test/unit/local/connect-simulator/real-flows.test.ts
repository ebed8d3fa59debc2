/**
 * Published flows of the corpus (test/fixtures/contact-flows/real) run through the executor:
 * modules, loops, Lex intents, logging, event hooks and queue transfers as the flows use them.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFlowExecutor, type LambdaInvoker } from '../../../../local/connect-simulator/flow-executor.ts';
import { type Flow, FlowSchema } from '../../../../tools/flows/actions.ts';
import { fakeCall, ok } from './flow-fakes.ts';

const real = (name: string): Flow =>
  FlowSchema.parse(
    JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../fixtures/contact-flows/real', name), 'utf8')),
  );

/** The outbound-call sample's contact flow and its four modules, found through contact attributes. */
const outboundCall = {
  flow: real('outbound-call-flow.json'),
  flows: {
    'init-module': real('outbound-call-init-module.json'),
    'name-module': real('outbound-call-get-customer-name-module.json'),
    'response-module': real('outbound-call-get-customer-response-module.json'),
    'error-module': real('outbound-call-error-module.json'),
  },
  attributes: {
    INIT_MODULE_ID: 'init-module',
    GET_CUST_NAME_MODULE_ID: 'name-module',
    CUST_RESPONSE_MODULE_ID: 'response-module',
    ERROR_HANDLING_MODULE_ID: 'error-module',
    UPDATE_LAMBDA_ARN: 'arn:aws:lambda:eu-west-1:000000000000:function:update-status',
    TRIGGER_RECORDING_LAMBDA_ARN: 'arn:aws:lambda:eu-west-1:000000000000:function:trigger-recording',
    LEX_BOT_ALIAS_ARN: 'arn:aws:lex:eu-west-1:000000000000:bot-alias/BOT/ALIAS',
    instructionDate: '12/01/2026',
  },
};

function recordingLambdas() {
  const invoked: Array<{ function: string; parameters: Record<string, string> }> = [];
  const invoke: LambdaInvoker = async ({ functionArn, payload }) => {
    const event = JSON.parse(payload) as { Details: { Parameters: Record<string, string> } };
    invoked.push({ function: functionArn.split(':').at(-1) ?? '', parameters: event.Details.Parameters });
    return ok({ status: 'ok' });
  };
  return { invoke, invoked };
}

describe('published flows in the simulator', () => {
  it('runs the agentless outbound sample through its modules, Lex intents and logging to the end', async () => {
    const lambdas = recordingLambdas();
    const fake = fakeCall({
      attributes: outboundCall.attributes,
      intents: [{ name: 'getCustomerName', slots: { firstName: 'Anna', lastName: 'Nowak' } }, 'confirmInstruction'],
    });

    const result = await createFlowExecutor({ ...outboundCall, invoke: lambdas.invoke })(fake.call);

    const details = result.details as Record<string, unknown>;
    expect(result.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    expect(details).toMatchObject({
      end: 'DISCONNECTED',
      logging: 'Enabled',
      voice: 'Joanna',
      flowsEntered: ['init-module', 'name-module', 'response-module'],
      intents: ['getCustomerName', 'confirmInstruction'],
    });
    expect(fake.attributesSet).toMatchObject({ firstName: 'Anna', lastName: 'Nowak' });
    expect(details.said).toContainEqual(expect.stringMatching(/^Thank you for confirming that this instruction/));
    expect(lambdas.invoked.map((invocation) => invocation.function)).toContain('update-status');
  });

  it('loops as Connect does: LoopCount times ContinueLooping, then DoneLooping', async () => {
    const fake = fakeCall({ attributes: outboundCall.attributes, intents: ['mumble', 'mumble', 'mumble', 'mumble'] });

    const result = await createFlowExecutor({ ...outboundCall, invoke: recordingLambdas().invoke })(fake.call);

    const details = result.details as { said: string[]; intents: string[]; path: string[] };
    // The name module asks, and repeats three times (its Loop's count) before it gives up.
    expect(details.intents).toEqual(['mumble', 'mumble', 'mumble', 'mumble']);
    expect(details.said.filter((text) => text.startsWith("Sorry we didn't"))).toHaveLength(3);
    expect(details.said).toContain("Sorry we couldn't get your name");
    expect(result.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
  });

  it('ends the simple survey sample with a transfer to its working queue', async () => {
    const fake = fakeCall({});

    const result = await createFlowExecutor({
      flow: real('contact-surveys-simple-survey.json'),
      invoke: recordingLambdas().invoke,
    })(fake.call);

    expect(result.disconnectReason).toBe('AGENT_DISCONNECT');
    expect(result.details).toMatchObject({
      end: 'TRANSFERRED',
      transferredTo: expect.stringMatching(/\/queue\/4bca1082-f46a-4580-8c76-79db54b8d49a$/),
      eventHooks: { CustomerRemaining: expect.stringContaining('/contact-flow/') },
    });
  });

  it('fails the call naming the flow a TransferToFlow leads to when the simulator was not given it', async () => {
    const fake = fakeCall({});

    const attempt = createFlowExecutor({ flow: real('rules-engine-main.json'), invoke: recordingLambdas().invoke })(
      fake.call,
    );

    await expect(attempt).rejects.toThrow(/TransferToFlow.*the simulator has no flow/);
  });
});
