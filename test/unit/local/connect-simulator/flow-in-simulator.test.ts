/**
 * The flow executor plugged into the simulator: simulated callees press keys from the scenario, a
 * callee who hangs up mid-script still leaves what the flow did in the call log, and a flow that
 * uses an unknown action fails the call (counted in flowErrors) instead of skipping it.
 */
import { StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../../local/connect-simulator/contact.ts';
import { createFlowExecutor, type FlowDetails } from '../../../../local/connect-simulator/flow-executor.ts';
import { fakeFlowFunctions, shippedFlow } from './flow-fakes.ts';
import { dial, type Harness, startHarness } from './simulator-harness.ts';

describe('the simulator running the shipped flow', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function callAll(destinations: string[]): Promise<CallRecord[]> {
    if (harness === undefined) throw new Error('no harness');
    for (const destination of destinations) {
      await harness.connect.send(new StartOutboundVoiceContactCommand(dial({ DestinationPhoneNumber: destination })));
    }
    await harness.simulator.idle();
    return (await harness.readJsonl(harness.callLogPath)) as CallRecord[];
  }

  it('answers questions with the scenario’s key weights and logs every press', async () => {
    const functions = fakeFlowFunctions();
    harness = await startHarness({
      runFlow: createFlowExecutor({ flow: shippedFlow(), invoke: functions.invoke }),
      scenario: {
        seed: 5,
        outcomes: { ANSWERED: 1 },
        hangUpProbability: 0,
        keypad: { invalidKeyProbability: 0, silenceProbability: 0, questions: { q1: { keys: { '1': 1 } } } },
      },
    });
    const records = await callAll(['+48600000201', '+48600000202', '+48600000203']);

    expect(records).toHaveLength(3);
    for (const record of records) {
      const flow = record.flow as unknown as FlowDetails;
      expect(flow.end).toBe('DISCONNECTED');
      expect(flow.presses).toEqual([{ questionId: 'q1', retry: '0', kind: 'KEY', key: '1', input: '1' }]);
      expect(record.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    }
    expect(functions.answers).toHaveLength(3);
  });

  it('keeps what the flow did when the callee hangs up mid-script, with the hang-up time', async () => {
    harness = await startHarness({
      runFlow: createFlowExecutor({ flow: shippedFlow(), invoke: fakeFlowFunctions().invoke }),
      scenario: {
        outcomes: { ANSWERED: 1 },
        speechMsPerWord: 1_000,
        numbers: { '+48600000301': { outcome: 'ANSWERED', ringMs: 1_000, hangUpAfterMs: 5_000, presses: ['2'] } },
      },
    });
    const [record] = await callAll(['+48600000301']);
    const flow = record?.flow as unknown as FlowDetails;

    expect(record?.disconnectReason).toBe('CUSTOMER_DISCONNECT');
    expect(flow.end).toBe('HUNG_UP');
    expect(flow.path).toContain('next-step');
    expect(flow.presses).toEqual([]);
  });

  it('fails a call whose flow uses an action it does not implement, naming it', async () => {
    harness = await startHarness({
      runFlow: createFlowExecutor({
        flow: {
          Version: '2019-10-30',
          StartAction: 'task',
          Actions: [{ Identifier: 'task', Type: 'CreateTask', Parameters: {}, Transitions: {} }],
        },
        invoke: fakeFlowFunctions().invoke,
      }),
      scenario: { outcomes: { ANSWERED: 1 }, hangUpProbability: 0 },
    });
    const [record] = await callAll(['+48600000401']);

    expect(record?.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    expect((record?.flow as FlowDetails | undefined)?.error).toMatch(/CreateTask/);
    expect(harness.simulator.stats().flowErrors).toBe(1);
  });
});
