import { createServer, type Server } from 'node:http';
import { StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContactEvent, type ContactEvent } from '../../../../local/connect-simulator/events.ts';
import { planDelivery } from '../../../../local/connect-simulator/faults.ts';
import { lambdaEventDelivery } from '../../../../local/connect-simulator/lambda-delivery.ts';
import { randomStream } from '../../../../local/connect-simulator/random.ts';
import { FaultsSchema } from '../../../../local/connect-simulator/scenario.ts';
import { CONTACT_EVENT_FIXTURES } from './contact-event-fixtures.ts';
import { dial, type Harness, startHarness } from './simulator-harness.ts';

const BUSY_FAST = { outcome: 'BUSY', ringMs: 1_000 } as const;

describe('event delivery faults', () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.stop();
  });

  async function callAll(destinations: string[]): Promise<Map<string, string>> {
    const byContact = new Map<string, string>();
    for (const destination of destinations) {
      const { ContactId } = await harness.connect.send(
        new StartOutboundVoiceContactCommand(dial({ DestinationPhoneNumber: destination })),
      );
      byContact.set(ContactId ?? '', destination);
    }
    await harness.simulator.idle();
    return byContact;
  }

  it('drops every event when dropProbability is 1', async () => {
    harness = await startHarness({ scenario: { outcomes: { BUSY: 1 }, faults: { dropProbability: 1 } } });

    await callAll(['+48600000001', '+48600000002']);

    expect(harness.events).toEqual([]);
    expect(harness.simulator.stats().events).toMatchObject({ emitted: 4, dropped: 4, delivered: 0 });
  });

  it('delivers every event twice with the same id when duplicateProbability is 1', async () => {
    harness = await startHarness({
      scenario: { outcomes: { BUSY: 1 }, faults: { duplicateProbability: 1, duplicateDelayMs: 0 } },
    });

    await callAll(['+48600000001']);
    const ids = harness.events.map((event) => event.id);

    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(2);
    expect(harness.simulator.stats().events).toMatchObject({ emitted: 2, duplicated: 2, delivered: 4 });
  });

  it('delivers a delayed INITIATED after the DISCONNECTED of the same contact', async () => {
    const destination = '+48600000001';
    const faults = FaultsSchema.parse({ delayProbability: 0.5, delayMs: 200_000 });
    const fate = (seed: number, eventType: string) =>
      planDelivery(faults, randomStream(seed, 'fault', destination, 0, eventType));
    const seed = Array.from({ length: 1_000 }, (_, index) => index).find(
      (candidate) => fate(candidate, 'INITIATED').delayed && !fate(candidate, 'DISCONNECTED').delayed,
    );
    harness = await startHarness({ scenario: { seed, numbers: { [destination]: BUSY_FAST }, faults } });

    await callAll([destination]);

    expect(seed).toBeDefined();
    expect(harness.events.map((event) => event.detail.eventType)).toEqual(['DISCONNECTED', 'INITIATED']);
    expect(harness.simulator.stats().events.delayed).toBe(1);
  });

  it('adds the wall-clock event latency to every delivery', async () => {
    const deliveredAfterMs: number[] = [];
    harness = await startHarness({
      scenario: { numbers: { '+48600000001': BUSY_FAST }, eventLatencyMs: 150 },
      deliver: async (event) => {
        deliveredAfterMs.push(Date.now() - Date.parse(event.detail.initiationTimestamp));
      },
    });

    await callAll(['+48600000001']);

    expect(deliveredAfterMs).toHaveLength(2);
    for (const latency of deliveredAfterMs) expect(latency).toBeGreaterThanOrEqual(145);
  });

  it('applies the same faults to the same calls for the same seed', async () => {
    const destinations = Array.from({ length: 20 }, (_, index) => `+4860020${String(index).padStart(4, '0')}`);
    const scenario = {
      seed: 99,
      outcomes: { BUSY: 1, ANSWERED: 1 },
      ringMs: 1_000,
      talkMs: 1_000,
      busyMs: 1_000,
      faults: { dropProbability: 0.2, duplicateProbability: 0.2, delayProbability: 0.2, delayMs: 5_000 },
    };
    const deliveriesPerCall = async () => {
      harness = await startHarness({ scenario });
      const byContact = await callAll(destinations);
      const counts = harness.events
        .map((event) => `${byContact.get(event.detail.contactId)} ${event.detail.eventType}`)
        .sort();
      const stats = harness.simulator.stats().events;
      await harness.stop();
      return { counts, stats };
    };

    const first = await deliveriesPerCall();
    const second = await deliveriesPerCall();
    harness = await startHarness();

    expect(second).toEqual(first);
    expect(first.stats.dropped).toBeGreaterThan(0);
    expect(first.stats.duplicated).toBeGreaterThan(0);
  });

  it('retries a failing target with backoff until it accepts the event', async () => {
    let attempts = 0;
    harness = await startHarness({
      scenario: { numbers: { '+48600000001': BUSY_FAST } },
      deliver: async (event) => {
        attempts += 1;
        if (attempts <= 2) throw new Error('target unavailable');
        harness.events.push(event);
      },
    });

    await callAll(['+48600000001']);

    expect(harness.events.map((event) => event.detail.eventType).sort()).toEqual(['DISCONNECTED', 'INITIATED']);
    expect(harness.simulator.stats().events).toMatchObject({ emitted: 2, delivered: 2, retries: 2, deadLettered: 0 });
  });

  it('dead-letters an event after the first attempt and two retries fail', async () => {
    harness = await startHarness({
      scenario: { numbers: { '+48600000001': BUSY_FAST } },
      deliver: async () => {
        throw new Error('target unavailable');
      },
    });

    const byContact = await callAll(['+48600000001']);
    const deadLetters = await harness.readJsonl(harness.deadLetterPath);

    expect(harness.simulator.stats().events).toMatchObject({ emitted: 2, attempts: 6, delivered: 0, deadLettered: 2 });
    expect(deadLetters).toHaveLength(2);
    expect(deadLetters).toContainEqual({
      failedAt: expect.any(String),
      attempts: 3,
      reason: 'target unavailable',
      event: expect.objectContaining({
        detail: expect.objectContaining({ contactId: [...byContact.keys()][0], eventType: 'DISCONNECTED' }),
      }),
    });
  });
});

describe('lambdaEventDelivery', () => {
  let lambda: Server;
  afterEach(async () => {
    await new Promise((resolve) => lambda.close(resolve));
  });

  /** A stand-in for serverless-offline's Lambda invoke endpoint. */
  async function startFakeLambda(status: number) {
    const invocations: Array<{ method: string; url: string; invocationType: unknown; payload: unknown }> = [];
    lambda = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        invocations.push({
          method: request.method ?? '',
          url: request.url ?? '',
          invocationType: request.headers['x-amz-invocation-type'],
          payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(status, status >= 400 ? { 'x-amzn-errortype': 'ServiceException' } : {});
        response.end(status >= 400 ? JSON.stringify({ message: 'boom' }) : '');
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    const address = lambda.address();
    if (address === null || typeof address === 'string') throw new Error('fake Lambda is not on a TCP port');
    return { invocations, endpoint: `http://127.0.0.1:${address.port}` };
  }

  it('invokes the function asynchronously with each event as the payload', async () => {
    const fake = await startFakeLambda(202);
    const functionName = 'outbound-campaign-engine-dev-callEnded';
    const harness = await startHarness({
      scenario: { numbers: { '+48600000001': BUSY_FAST } },
      deliver: lambdaEventDelivery({ functionName, endpoint: fake.endpoint }),
    });

    await harness.connect.send(new StartOutboundVoiceContactCommand(dial()));
    await harness.simulator.idle();
    await harness.stop();

    expect(fake.invocations).toHaveLength(2);
    expect(fake.invocations[0]).toMatchObject({
      method: 'POST',
      url: `/2015-03-31/functions/${functionName}/invocations`,
      invocationType: 'Event',
    });
    const payloads = fake.invocations.map((invocation) => invocation.payload as ContactEvent);
    expect(payloads.map((event) => event.detail.eventType).sort()).toEqual(['DISCONNECTED', 'INITIATED']);
  });

  it('rejects when the Lambda endpoint fails, so the simulator retries', async () => {
    const fake = await startFakeLambda(500);
    const deliver = lambdaEventDelivery({ functionName: 'fn', endpoint: fake.endpoint });

    const input = CONTACT_EVENT_FIXTURES.initiated;
    if (input === undefined) throw new Error('fixture input missing');

    await expect(deliver(buildContactEvent(input))).rejects.toThrow();
    expect(fake.invocations).toHaveLength(1);
  });
});
