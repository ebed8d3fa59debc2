import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContactEvent, ContactEventSchema } from '../../../../local/connect-simulator/events.ts';
import { planDelivery } from '../../../../local/connect-simulator/faults.ts';
import { mulberry32 } from '../../../../local/connect-simulator/random.ts';
import { FaultsSchema } from '../../../../local/connect-simulator/scenario.ts';
import { CONTACT_EVENT_FIXTURES } from './contact-event-fixtures.ts';

const FIXTURE_DIRECTORY = join(import.meta.dirname, '../../../events/connect');

describe('buildContactEvent', () => {
  it.each(Object.entries(CONTACT_EVENT_FIXTURES))('produces test/events/connect/%s.json', async (name, input) => {
    const fixture: unknown = JSON.parse(await readFile(join(FIXTURE_DIRECTORY, `${name}.json`), 'utf8'));

    const event = buildContactEvent(input);

    expect(event).toEqual(fixture);
    expect(ContactEventSchema.parse(fixture)).toEqual(fixture);
  });

  it('adds fields only once the contact has reached them', () => {
    const base = CONTACT_EVENT_FIXTURES['disconnected-human-amd'];
    if (base === undefined) throw new Error('fixture input missing');

    const initiated = buildContactEvent({ ...base, eventType: 'INITIATED' }).detail;
    const connected = buildContactEvent({ ...base, eventType: 'CONNECTED_TO_SYSTEM' }).detail;

    expect(Object.keys(initiated)).toEqual([
      'eventType',
      'contactId',
      'channel',
      'instanceArn',
      'initiationMethod',
      'initiationTimestamp',
    ]);
    expect(connected).toHaveProperty('connectedToSystemTimestamp');
    expect(connected).toHaveProperty('answeringMachineDetectionStatus', 'HUMAN_ANSWERED');
    expect(connected).not.toHaveProperty('disconnectReason');
  });
});

describe('planDelivery', () => {
  it('delivers once, at once, without faults', () => {
    const plan = planDelivery(FaultsSchema.parse({}), mulberry32(1));

    expect(plan).toEqual({ delaysMs: [0], latencyMs: 0, dropped: false, delayed: false, duplicated: false });
  });

  it('drops, delays and duplicates with the configured probabilities', () => {
    const faults = FaultsSchema.parse({
      dropProbability: 0.1,
      delayProbability: 0.3,
      duplicateProbability: 0.2,
      delayMs: 1_000,
      duplicateDelayMs: 500,
    });
    const random = mulberry32(2024);

    const plans = Array.from({ length: 10_000 }, () => planDelivery(faults, random));
    const share = (predicate: (plan: (typeof plans)[number]) => boolean) =>
      plans.filter(predicate).length / plans.length;

    expect(share((plan) => plan.dropped)).toBeCloseTo(0.1, 1);
    expect(share((plan) => plan.delayed)).toBeCloseTo(0.3 * 0.9, 1);
    expect(share((plan) => plan.duplicated)).toBeCloseTo(0.2 * 0.9, 1);
    for (const plan of plans) {
      if (plan.dropped) expect(plan.delaysMs).toEqual([]);
      else
        expect(plan.delaysMs).toEqual([
          plan.delayed ? 1_000 : 0,
          ...(plan.duplicated ? [(plan.delayed ? 1_000 : 0) + 500] : []),
        ]);
    }
  });
});
