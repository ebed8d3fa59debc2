import { DescribeContactCommand, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import { ContactEventSchema } from '../../../../local/connect-simulator/events.ts';
import type { FlowCall } from '../../../../local/connect-simulator/flow.ts';
import type { ScenarioInput } from '../../../../local/connect-simulator/scenario.ts';
import { campaignDial, dial, type Harness, INSTANCE_ID, startHarness } from './simulator-harness.ts';

const NUMBERS = {
  human: '+48600000101',
  hangsUp: '+48600000102',
  voicemail: '+48600000103',
  noAnswer: '+48600000104',
  busy: '+48600000105',
  invalid: '+48600000106',
  failed: '+48600000107',
  slowAnswer: '+48600000108',
} as const;

const SCENARIO: ScenarioInput = {
  voicemailBeepProbability: 1,
  numbers: {
    [NUMBERS.human]: { outcome: 'ANSWERED', ringMs: 2_000, talkMs: 100_000, hangUpAfterMs: null },
    [NUMBERS.hangsUp]: { outcome: 'ANSWERED', ringMs: 2_000, talkMs: 60_000, hangUpAfterMs: 3_000 },
    [NUMBERS.voicemail]: { outcome: 'VOICEMAIL', ringMs: 2_000, talkMs: 5_000 },
    [NUMBERS.noAnswer]: { outcome: 'NO_ANSWER' },
    [NUMBERS.busy]: { outcome: 'BUSY' },
    [NUMBERS.invalid]: { outcome: 'INVALID_NUMBER' },
    [NUMBERS.failed]: { outcome: 'FAILED' },
    [NUMBERS.slowAnswer]: { outcome: 'ANSWERED', ringMs: 20_000 },
  },
};

describe('contact lifecycle and events', () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.stop();
  });

  async function call(destination: string, amd: boolean): Promise<string> {
    const input = amd
      ? campaignDial({ DestinationPhoneNumber: destination })
      : dial({ DestinationPhoneNumber: destination });
    const { ContactId } = await harness.connect.send(
      new StartOutboundVoiceContactCommand({ ...input, RingTimeoutInSeconds: 15 }),
    );
    if (ContactId === undefined) throw new Error('no ContactId');
    return ContactId;
  }

  it.each([
    [
      'human answers',
      NUMBERS.human,
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED'],
      'CONTACT_FLOW_DISCONNECT',
      'HUMAN_ANSWERED',
    ],
    [
      'human hangs up mid-script',
      NUMBERS.hangsUp,
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED'],
      'CUSTOMER_DISCONNECT',
      'HUMAN_ANSWERED',
    ],
    [
      'voicemail',
      NUMBERS.voicemail,
      ['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED'],
      'CONTACT_FLOW_DISCONNECT',
      'VOICEMAIL_BEEP',
    ],
    ['no answer', NUMBERS.noAnswer, ['INITIATED', 'DISCONNECTED'], 'TELECOM_TIMEOUT', 'AMD_UNANSWERED'],
    [
      'ring time over the ring timeout',
      NUMBERS.slowAnswer,
      ['INITIATED', 'DISCONNECTED'],
      'TELECOM_TIMEOUT',
      'AMD_UNANSWERED',
    ],
    ['busy', NUMBERS.busy, ['INITIATED', 'DISCONNECTED'], 'TELECOM_BUSY', 'SIT_TONE_BUSY'],
    [
      'invalid number',
      NUMBERS.invalid,
      ['INITIATED', 'DISCONNECTED'],
      'TELECOM_NUMBER_INVALID',
      'SIT_TONE_INVALID_NUMBER',
    ],
    ['telecom failure', NUMBERS.failed, ['INITIATED', 'DISCONNECTED'], 'TELECOM_PROBLEM', 'AMD_NOT_APPLICABLE'],
  ])('%s: events in order with the outcome fields', async (_case, destination, types, reason, amdStatus) => {
    harness = await startHarness({ scenario: SCENARIO });

    const contactId = await call(destination, true);
    await harness.simulator.idle();
    const events = harness.eventsOf(contactId);
    const disconnected = events.at(-1)?.detail;

    expect(events.map((event) => event.detail.eventType)).toEqual(types);
    for (const event of events) expect(ContactEventSchema.parse(event)).toEqual(event);
    expect(disconnected).toMatchObject({ disconnectReason: reason, answeringMachineDetectionStatus: amdStatus });
    expect(disconnected?.disconnectTimestamp).toBeDefined();
    const connected = types.includes('CONNECTED_TO_SYSTEM');
    expect(disconnected?.connectedToSystemTimestamp === undefined).toBe(!connected);
    if (connected) expect(events[1]?.detail.answeringMachineDetectionStatus).toBe(amdStatus);
    expect(events[0]?.detail).not.toHaveProperty('answeringMachineDetectionStatus');
  });

  it('wraps every event in the EventBridge envelope of an Amazon Connect contact event', async () => {
    harness = await startHarness({ scenario: SCENARIO });

    const contactId = await call(NUMBERS.human, false);
    await harness.simulator.idle();
    const [initiated] = harness.eventsOf(contactId);

    expect(initiated).toMatchObject({
      version: '0',
      'detail-type': 'Amazon Connect Contact Event',
      source: 'aws.connect',
      account: '123456789012',
      region: 'eu-west-1',
      resources: [
        `arn:aws:connect:eu-west-1:123456789012:instance/${INSTANCE_ID}`,
        `arn:aws:connect:eu-west-1:123456789012:instance/${INSTANCE_ID}/contact/${contactId}`,
      ],
      detail: {
        eventType: 'INITIATED',
        contactId,
        channel: 'VOICE',
        initiationMethod: 'API',
        instanceArn: `arn:aws:connect:eu-west-1:123456789012:instance/${INSTANCE_ID}`,
      },
    });
    expect(initiated?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(initiated?.detail).not.toHaveProperty('attributes');
  });

  it('reports no AMD status when AMD is off', async () => {
    harness = await startHarness({ scenario: SCENARIO });

    const human = await call(NUMBERS.human, false);
    const busy = await call(NUMBERS.busy, false);
    await harness.simulator.idle();

    for (const event of [...harness.eventsOf(human), ...harness.eventsOf(busy)]) {
      expect(event.detail).not.toHaveProperty('answeringMachineDetectionStatus');
    }
    expect(harness.eventsOf(busy).at(-1)?.detail.disconnectReason).toBe('TELECOM_BUSY');
  });

  it('plays a per-attempt sequence for one number, repeating the last entry', async () => {
    harness = await startHarness({
      scenario: { numbers: { '+48600000001': { sequence: [{ outcome: 'BUSY' }, { outcome: 'NO_ANSWER' }] } } },
    });

    for (let attempt = 0; attempt < 3; attempt += 1) {
      await call('+48600000001', false);
      await harness.simulator.idle();
    }

    expect(harness.simulator.callRecords().map((record) => [record.attempt, record.outcome])).toEqual([
      [0, 'BUSY'],
      [1, 'NO_ANSWER'],
      [2, 'NO_ANSWER'],
    ]);
  });

  it('writes one ground-truth line per call to the call log', async () => {
    harness = await startHarness({ scenario: SCENARIO });

    const answered = await harness.connect.send(
      new StartOutboundVoiceContactCommand(
        campaignDial({
          DestinationPhoneNumber: NUMBERS.human,
          ClientToken: 'run-1#c-1#1',
          Attributes: { contactKey: 'c-1' },
        }),
      ),
    );
    await call(NUMBERS.busy, false);
    await harness.simulator.idle();
    const lines = await harness.readJsonl(harness.callLogPath);

    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(
      expect.objectContaining({
        contactId: answered.ContactId,
        clientToken: 'run-1#c-1#1',
        destination: NUMBERS.human,
        attributes: { contactKey: 'c-1' },
        outcome: 'ANSWERED',
        disconnectReason: 'CONTACT_FLOW_DISCONNECT',
        amdStatus: 'HUMAN_ANSWERED',
        trafficType: 'CAMPAIGN',
        campaignId: 'spring-survey',
        concurrentAtStart: 0,
        startedAt: expect.any(String),
        answeredAt: expect.any(String),
        endedAt: expect.any(String),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ destination: NUMBERS.busy, outcome: 'BUSY', amdStatus: null, concurrentAtStart: 1 }),
    );
  });

  it('hands answered calls to runFlow and ends them with its disconnect reason', async () => {
    const seen: FlowCall[] = [];
    harness = await startHarness({
      scenario: SCENARIO,
      runFlow: async (flowCall) => {
        seen.push(flowCall);
        await flowCall.sleep(1_000);
        flowCall.updateAttributes({ q1: '2' });
        return { disconnectReason: 'CONTACT_FLOW_DISCONNECT', details: { answers: { q1: '2' } } };
      },
    });

    const contactId = await harness.connect
      .send(
        new StartOutboundVoiceContactCommand(
          campaignDial({ DestinationPhoneNumber: NUMBERS.human, Attributes: { contactKey: 'c-9' } }),
        ),
      )
      .then((output) => output.ContactId ?? '');
    await harness.simulator.idle();
    const described = await harness.connect.send(
      new DescribeContactCommand({ InstanceId: INSTANCE_ID, ContactId: contactId }),
    );

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      contactId,
      customerPhoneNumber: NUMBERS.human,
      attributes: { contactKey: 'c-9' },
      amdEnabled: true,
      amdStatus: 'HUMAN_ANSWERED',
      callee: { outcome: 'ANSWERED', talkMs: 100_000 },
    });
    expect(described.Contact?.Attributes).toEqual({ contactKey: 'c-9', q1: '2' });
    expect(harness.simulator.callRecords()[0]).toMatchObject({
      flow: { answers: { q1: '2' } },
      attributes: { q1: '2' },
    });
  });

  it('interrupts the flow when the callee hangs up, and survives a flow that throws', async () => {
    let aborted = false;
    harness = await startHarness({
      scenario: SCENARIO,
      runFlow: async (flowCall) => {
        if (flowCall.customerPhoneNumber === NUMBERS.human) throw new Error('flow bug');
        await flowCall.sleep(60_000).catch(() => {
          aborted = flowCall.signal.aborted;
        });
        return { disconnectReason: 'CONTACT_FLOW_DISCONNECT' };
      },
    });

    const hangsUp = await call(NUMBERS.hangsUp, false);
    const broken = await call(NUMBERS.human, false);
    await harness.simulator.idle();

    expect(harness.eventsOf(hangsUp).at(-1)?.detail.disconnectReason).toBe('CUSTOMER_DISCONNECT');
    expect(aborted).toBe(true);
    expect(harness.eventsOf(broken).at(-1)?.detail.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    expect(harness.simulator.stats().flowErrors).toBe(1);
  });

  it('emits COMPLETED after DISCONNECTED when asked, and filters delivered types like a rule pattern', async () => {
    harness = await startHarness({
      scenario: SCENARIO,
      emitCompletedEvents: true,
      deliverEventTypes: ['DISCONNECTED', 'COMPLETED'],
    });

    const contactId = await call(NUMBERS.busy, false);
    await harness.simulator.idle();

    expect(harness.eventsOf(contactId).map((event) => event.detail.eventType)).toEqual(['DISCONNECTED', 'COMPLETED']);
  });

  it('reproduces the same callee outcomes for the same seed', async () => {
    const destinations = Array.from({ length: 40 }, (_, index) => `+4860010${String(index).padStart(4, '0')}`);
    const runOnce = async (seed: number) => {
      harness = await startHarness({
        scenario: { seed, ringMs: 1_000, talkMs: 1_000, busyMs: 1_000, invalidNumberMs: 1_000, failedMs: 1_000 },
      });
      await Promise.all(destinations.map((destination) => call(destination, false)));
      await harness.simulator.idle();
      const outcomes = new Map(harness.simulator.callRecords().map((record) => [record.destination, record.outcome]));
      await harness.stop();
      return destinations.map((destination) => outcomes.get(destination));
    };

    const first = await runOnce(7);
    const second = await runOnce(7);
    const other = await runOnce(8);
    harness = await startHarness();

    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);
  });
});
