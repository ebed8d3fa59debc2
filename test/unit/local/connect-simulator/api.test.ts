import {
  ContactNotFoundException,
  DescribeContactCommand,
  DestinationNotAllowedException,
  InvalidParameterException,
  LimitExceededException,
  ListContactFlowsCommand,
  ResourceNotFoundException,
  StartOutboundVoiceContactCommand,
  StopContactCommand,
  ThrottlingException,
} from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { campaignDial, dial, type Harness, INSTANCE_ID, startHarness } from './simulator-harness.ts';

/** A callee who answers and stays on the line for a long time (1000 s, i.e. 1 s at timeScale 0.001). */
const LONG_CALL = { outcome: 'ANSWERED', ringMs: 0, talkMs: 1_000_000, hangUpAfterMs: null } as const;

describe('Connect simulator API (real ConnectClient)', () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.stop();
  });

  it('starts a call and answers DescribeContact with epoch timestamps the SDK turns into Dates', async () => {
    harness = await startHarness({ scenario: { numbers: { '+48600000001': { outcome: 'BUSY', ringMs: 200_000 } } } });

    const { ContactId } = await harness.connect.send(
      new StartOutboundVoiceContactCommand(dial({ Attributes: { contactKey: 'c-1' } })),
    );
    const ringing = await harness.connect.send(new DescribeContactCommand({ InstanceId: INSTANCE_ID, ContactId }));
    await harness.simulator.idle();
    const ended = await harness.connect.send(new DescribeContactCommand({ InstanceId: INSTANCE_ID, ContactId }));

    expect(ContactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ringing.Contact).toMatchObject({
      Id: ContactId,
      Arn: `arn:aws:connect:eu-west-1:123456789012:instance/${INSTANCE_ID}/contact/${ContactId}`,
      InitiationMethod: 'API',
      Channel: 'VOICE',
      CustomerEndpoint: { Type: 'TELEPHONE_NUMBER', Address: '+48600000001' },
      Attributes: { contactKey: 'c-1' },
    });
    expect(ringing.Contact?.InitiationTimestamp).toBeInstanceOf(Date);
    expect(ringing.Contact?.DisconnectTimestamp).toBeUndefined();
    expect(ended.Contact?.DisconnectTimestamp).toBeInstanceOf(Date);
    expect(ended.Contact?.DisconnectReason).toBe('TELECOM_BUSY');
    expect(ended.Contact?.ConnectedToSystemTimestamp).toBeUndefined();
  });

  it('returns the same ContactId for a repeated ClientToken without placing a second call', async () => {
    harness = await startHarness();

    const first = await harness.connect.send(new StartOutboundVoiceContactCommand(dial({ ClientToken: 'run1-c1-a1' })));
    const second = await harness.connect.send(
      new StartOutboundVoiceContactCommand(dial({ ClientToken: 'run1-c1-a1' })),
    );
    const other = await harness.connect.send(new StartOutboundVoiceContactCommand(dial({ ClientToken: 'run1-c1-a2' })));

    expect(second.ContactId).toBe(first.ContactId);
    expect(other.ContactId).not.toBe(first.ContactId);
    expect(harness.simulator.stats()).toMatchObject({ totalCalls: 2, idempotentReplays: 1 });
  });

  it('answers LimitExceededException (429) over the concurrent-call quota, per traffic type', async () => {
    harness = await startHarness({
      quotas: { maxConcurrentCalls: 2, maxConcurrentCampaignCalls: 1 },
      scenario: { numbers: { '+48600000001': LONG_CALL } },
    });
    const send = (input: Parameters<typeof dial>[0]) =>
      harness.connect.send(new StartOutboundVoiceContactCommand(dial(input)));

    await send({});
    await send({});
    const overCap = await send({}).catch((error: unknown) => error);
    await harness.connect.send(new StartOutboundVoiceContactCommand(campaignDial()));
    const overCampaignCap = await harness.connect
      .send(new StartOutboundVoiceContactCommand(campaignDial()))
      .catch((error: unknown) => error);

    expect(overCap).toBeInstanceOf(LimitExceededException);
    expect(overCap).toMatchObject({ $metadata: { httpStatusCode: 429 } });
    expect(overCampaignCap).toBeInstanceOf(LimitExceededException);
    expect(harness.simulator.stats()).toMatchObject({ active: 3, peakConcurrency: 3, limitExceeded: 2 });
  });

  it('frees a concurrency slot when a call disconnects', async () => {
    harness = await startHarness({ quotas: { maxConcurrentCalls: 1 } });
    harness.simulator.setScenario({ timeScale: 0.001, numbers: { '+48600000001': { outcome: 'BUSY', ringMs: 1 } } });

    await harness.connect.send(new StartOutboundVoiceContactCommand(dial()));
    await harness.simulator.idle();
    const again = await harness.connect.send(new StartOutboundVoiceContactCommand(dial()));

    expect(again.ContactId).toBeDefined();
  });

  it('answers ThrottlingException (429) over the dial rate, or LimitExceededException when configured', async () => {
    harness = await startHarness({ quotas: { dialRatePerSecond: 0.01, dialBurst: 2 } });
    const attempts = await Promise.allSettled(
      [1, 2, 3].map(() => harness.connect.send(new StartOutboundVoiceContactCommand(dial()))),
    );
    await harness.stop();
    harness = await startHarness({
      quotas: { dialRatePerSecond: 0.01, dialBurst: 1, rateLimitErrorType: 'LimitExceededException' },
    });
    await harness.connect.send(new StartOutboundVoiceContactCommand(dial()));
    const documented = await harness.connect
      .send(new StartOutboundVoiceContactCommand(dial()))
      .catch((error: unknown) => error);

    const rejected = attempts.filter((attempt) => attempt.status === 'rejected');
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(2);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(ThrottlingException);
    expect(rejected[0]?.reason).toMatchObject({ $metadata: { httpStatusCode: 429 } });
    expect(documented).toBeInstanceOf(LimitExceededException);
    expect(harness.simulator.stats()).toMatchObject({ throttled: 1, limitExceeded: 0 });
  });

  it.each([
    ['a number that is not E.164', dial({ DestinationPhoneNumber: '600 000 001' }), InvalidParameterException],
    ['no caller id and no queue', dial({ SourcePhoneNumber: undefined }), InvalidParameterException],
    ['a ring timeout under 15 s', dial({ RingTimeoutInSeconds: 5 }), InvalidParameterException],
    ['an attribute key with a space', dial({ Attributes: { 'contact key': 'x' } }), InvalidParameterException],
    ['AMD without TrafficType CAMPAIGN', campaignDial({ TrafficType: 'GENERAL' }), InvalidParameterException],
    [
      'a destination in a blocked prefix',
      dial({ DestinationPhoneNumber: '+447700900123' }),
      DestinationNotAllowedException,
    ],
    ['an unknown instance', dial({ InstanceId: 'unknown-instance' }), ResourceNotFoundException],
  ])('rejects %s with the matching exception class', async (_case, input, expected) => {
    harness = await startHarness({ instanceIds: [INSTANCE_ID], destinationNotAllowedPrefixes: ['+447'] });

    const error = await harness.connect
      .send(new StartOutboundVoiceContactCommand(input))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(expected);
    expect(harness.simulator.stats().totalCalls).toBe(0);
  });

  it('accepts the instance ARN where the instance id is expected', async () => {
    harness = await startHarness({ instanceIds: [INSTANCE_ID] });

    const started = await harness.connect.send(
      new StartOutboundVoiceContactCommand(
        dial({ InstanceId: `arn:aws:connect:eu-west-1:123456789012:instance/${INSTANCE_ID}` }),
      ),
    );

    expect(started.ContactId).toBeDefined();
  });

  it('stops a ringing call (TELECOM_ORIGINATOR_CANCEL) and a connected call (OTHER) once', async () => {
    harness = await startHarness({
      scenario: {
        timeScale: 0.01,
        numbers: {
          '+48600000001': { outcome: 'NO_ANSWER' },
          '+48600000002': LONG_CALL,
        },
      },
    });
    const ringing = await harness.connect.send(new StartOutboundVoiceContactCommand(dial()));
    const talking = await harness.connect.send(
      new StartOutboundVoiceContactCommand(dial({ DestinationPhoneNumber: '+48600000002' })),
    );
    await vi.waitFor(() => expect(harness.eventsOf(talking.ContactId ?? '')).toHaveLength(2), { interval: 2 });

    await harness.connect.send(new StopContactCommand({ InstanceId: INSTANCE_ID, ContactId: ringing.ContactId }));
    await harness.connect.send(new StopContactCommand({ InstanceId: INSTANCE_ID, ContactId: talking.ContactId }));
    const again = await harness.connect
      .send(new StopContactCommand({ InstanceId: INSTANCE_ID, ContactId: talking.ContactId }))
      .catch((error: unknown) => error);
    await harness.simulator.idle();

    const reasons = harness.simulator.callRecords().map((record) => [record.contactId, record.disconnectReason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [ringing.ContactId, 'TELECOM_ORIGINATOR_CANCEL'],
        [talking.ContactId, 'OTHER'],
      ]),
    );
    expect(again).toBeInstanceOf(ContactNotFoundException);
    expect(harness.simulator.stats()).toMatchObject({ stoppedByApi: 2, active: 0 });
  });

  it('lists the configured contact flows as published and active (ListContactFlows)', async () => {
    harness = await startHarness({
      instanceIds: [INSTANCE_ID],
      contactFlows: [{ id: 'OutboundSurveyFlow', name: 'campaign-engine-local-outbound-survey' }],
    });

    const listed = await harness.connect.send(new ListContactFlowsCommand({ InstanceId: INSTANCE_ID }));
    const elsewhere = harness.connect.send(new ListContactFlowsCommand({ InstanceId: 'another-instance' }));

    expect(listed.ContactFlowSummaryList).toEqual([
      {
        Id: 'OutboundSurveyFlow',
        Arn: `arn:aws:connect:eu-west-1:123456789012:instance/${INSTANCE_ID}/contact-flow/OutboundSurveyFlow`,
        Name: 'campaign-engine-local-outbound-survey',
        ContactFlowType: 'CONTACT_FLOW',
        ContactFlowState: 'ACTIVE',
        ContactFlowStatus: 'PUBLISHED',
      },
    ]);
    await expect(elsewhere).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers ResourceNotFoundException for an unknown contact', async () => {
    harness = await startHarness();

    const error = await harness.connect
      .send(new DescribeContactCommand({ InstanceId: INSTANCE_ID, ContactId: '00000000-0000-0000-0000-000000000000' }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('serves health, stats and scenario replacement under /_sim', async () => {
    harness = await startHarness();
    const url = harness.simulator.url;

    const health = await fetch(`${url}/_sim/health`).then((response) => response.json());
    const replaced = await fetch(`${url}/_sim/scenario`, {
      method: 'POST',
      body: JSON.stringify({ seed: 42, timeScale: 0.001, outcomes: { BUSY: 1 } }),
    });
    const invalid = await fetch(`${url}/_sim/scenario`, {
      method: 'POST',
      body: JSON.stringify({ outcomes: { BUSY: -1 } }),
    });
    await harness.connect.send(new StartOutboundVoiceContactCommand(dial()));
    await harness.simulator.idle();
    const stats = await fetch(`${url}/_sim/stats`).then((response) => response.json());

    expect(health).toEqual({ status: 'ok' });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ seed: 42, outcomes: { BUSY: 1 } });
    expect(invalid.status).toBe(400);
    expect(stats).toMatchObject({ totalCalls: 1, outcomes: { BUSY: 1 }, apiCalls: { StartOutboundVoiceContact: 1 } });
  });
});
