/** The simulator's crash switch: a call Connect accepted whose answer never reaches the dialer. */
import { StartOutboundVoiceContactCommand, ThrottlingException } from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import { dial, type Harness, startHarness } from './simulator-harness.ts';

const LONG_CALL = { outcome: 'ANSWERED', ringMs: 0, talkMs: 1_000_000, hangUpAfterMs: null } as const;

describe('Connect simulator hang switch', () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.stop();
  });

  const control = (method: string, body?: unknown) =>
    fetch(`${harness.simulator.url}/_sim/hang`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('places the next call but withholds its answer until cleared, and answers the calls after it', async () => {
    harness = await startHarness({ scenario: { numbers: { '+48600000001': LONG_CALL, '+48600000002': LONG_CALL } } });
    expect(await (await control('POST', { times: 1 })).json()).toEqual({ remaining: 1, held: 0 });

    let answered = false;
    const held = harness.connect
      .send(new StartOutboundVoiceContactCommand(dial({ ClientToken: 'run-1-contact-1-attempt-1' })))
      .finally(() => {
        answered = true;
      });
    const outcome = held.then(
      () => 'answered',
      (error: Error) => error.name,
    );
    const next = await harness.connect.send(
      new StartOutboundVoiceContactCommand(dial({ DestinationPhoneNumber: '+48600000002' })),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));

    expect(next.ContactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answered).toBe(false);
    expect(harness.simulator.stats()).toMatchObject({ totalCalls: 2, active: 2 });
    expect(await (await control('GET')).json()).toEqual({ remaining: 0, held: 1 });

    expect(await (await control('DELETE')).json()).toEqual({ released: 1 });
    expect(await outcome).not.toBe('answered');
    // The dialer's retry with the same ClientToken finds the call Connect already placed.
    const retried = await harness.connect.send(
      new StartOutboundVoiceContactCommand(dial({ ClientToken: 'run-1-contact-1-attempt-1' })),
    );
    expect(retried.ContactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(harness.simulator.stats()).toMatchObject({ totalCalls: 2, idempotentReplays: 1 });
  });

  it('is not used up by a call Connect refused', async () => {
    harness = await startHarness({ quotas: { dialRatePerSecond: 1, dialBurst: 1 } });
    await harness.connect.send(new StartOutboundVoiceContactCommand(dial({ DestinationPhoneNumber: '+48600000009' })));
    await control('POST', {});

    const throttled = harness.connect.send(new StartOutboundVoiceContactCommand(dial()));

    await expect(throttled).rejects.toBeInstanceOf(ThrottlingException);
    expect(await (await control('GET')).json()).toEqual({ remaining: 1, held: 0 });
  });

  it('refuses a bad request naming the field', async () => {
    harness = await startHarness();

    const response = await control('POST', { times: 0, forever: true });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/^invalid hang request: .*times/);
  });
});
