/**
 * The flow functions believe only what the dispatcher recorded (issue 15, "Forged flow events are trusted"): each
 * forged event of the issue (test/events/connect/forged/) is refused, a real call is resolved from its CALL# item,
 * and a call whose CALL# item is not written yet is accepted only as the attempt being dialled.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimOf, parseFlowEvent } from '../../../../functions/handlers/flow/contact-flow-event.ts';
import {
  type CallRecords,
  CallResolver,
  ForgedCallError,
  type PlacedCall,
} from '../../../../functions/use-cases/answers/resolve-call.ts';

const INSTANCE = 'arn:aws:connect:eu-west-1:000000000000:instance/00000000-0000-0000-0000-000000000000';
const REAL_CONTACT_ID = '5ca32fbd-8f92-46af-92a5-6b0f970f0efe';
const NOW = new Date('2026-11-22T10:00:00Z');

const event = (file: string): unknown =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, `../../../events/connect/${file}`), 'utf8'));
const claimIn = (file: string) => {
  const { event: parsed, ref } = parseFlowEvent(event(file));
  return claimOf(parsed, ref);
};

/** The table as the dispatcher left it: calls it placed and contacts' current attempts. */
class MemoryCalls implements CallRecords {
  readonly calls = new Map<string, PlacedCall>();
  readonly contacts = new Map<string, { status: string; attempts: number; startedAt?: string }>();
  lookups = 0;
  /** A CALL# item that lands after this many lookups (the dispatcher's write racing the flow). */
  late?: { id: string; call: PlacedCall; afterLookups: number };

  async findCall(id: string) {
    this.lookups++;
    if (this.late?.id === id && this.lookups > this.late.afterLookups) return this.late.call;
    return this.calls.get(id);
  }

  async currentAttempt(campaignId: string, date: string, phone: string) {
    return this.contacts.get(`${campaignId}#${date}#${phone}`);
  }
}

function setup() {
  const records = new MemoryCalls();
  records.calls.set(REAL_CONTACT_ID, { campaignId: 'demo', date: '2026-11-22', phone: '+48601234567', attempt: 2 });
  records.contacts.set('demo#2026-11-22#+48601234567', {
    status: 'DIALING',
    attempts: 2,
    startedAt: '2026-11-22T09:59:30Z',
  });
  records.contacts.set('demo#2026-11-22#+48601000999', { status: 'PENDING', attempts: 0 });
  const resolver = new CallResolver(records, {
    instanceArn: INSTANCE,
    maxCallSeconds: 1_800,
    now: () => NOW,
    sleep: async () => undefined,
  });
  return { records, resolver };
}

describe('CallResolver', () => {
  it('resolves a real call from the CALL# item the dispatcher wrote', async () => {
    const { resolver } = setup();

    await expect(resolver.resolve(claimIn('contact-flow-event-record-answer.json'))).resolves.toEqual({
      campaignId: 'demo',
      date: '2026-11-22',
      phone: '+48601234567',
      attempt: 2,
      connectContactId: REAL_CONTACT_ID,
    });
  });

  it('refuses an event from another Connect instance', async () => {
    const { resolver } = setup();

    await expect(resolver.resolve(claimIn('forged/other-instance.json'))).rejects.toThrow(
      new ForgedCallError(`contact ${REAL_CONTACT_ID} is on another Connect instance`),
    );
  });

  it('refuses a ContactId the dispatcher never placed, for a contact never called', async () => {
    const { resolver } = setup();

    await expect(resolver.resolve(claimIn('forged/never-called.json'))).rejects.toThrow(ForgedCallError);
  });

  it("refuses a real call's ContactId claiming another number (the opt-out of someone else)", async () => {
    const { resolver } = setup();

    await expect(resolver.resolve(claimIn('forged/opt-out-other-number.json'))).rejects.toThrow(
      /claims attributes or a number of another call/,
    );
  });

  it('refuses attributes naming a run date with no run', async () => {
    const { resolver } = setup();

    await expect(resolver.resolve(claimIn('forged/no-run.json'))).rejects.toThrow(ForgedCallError);
  });

  it('refuses eleven forged ContactIds for one number: none of them is a placed call', async () => {
    const { records, resolver } = setup();
    records.contacts.set('demo#2026-11-22#+48601234567', { status: 'COMPLETED', attempts: 2 });
    const claim = claimIn('contact-flow-event-record-answer.json');

    const results = await Promise.allSettled(
      Array.from({ length: 11 }, (_, index) => resolver.resolve({ ...claim, connectContactId: `forged-${index}` })),
    );

    expect(results.every((result) => result.status === 'rejected')).toBe(true);
  });

  it('waits once for a CALL# item the dispatcher is still writing', async () => {
    const { records, resolver } = setup();
    const claim = { ...claimIn('contact-flow-event-record-answer.json'), connectContactId: 'late-1' };
    records.late = { id: 'late-1', call: { ...claim }, afterLookups: 1 };

    await expect(resolver.resolve(claim)).resolves.toMatchObject({ attempt: 2, connectContactId: 'late-1' });
    expect(records.lookups).toBe(2);
  });

  it('accepts a call without its CALL# item only as the attempt being dialled right now', async () => {
    const { records, resolver } = setup();
    const claim = { ...claimIn('contact-flow-event-record-answer.json'), connectContactId: 'not-yet-recorded' };

    await expect(resolver.resolve(claim)).resolves.toMatchObject({ phone: '+48601234567', attempt: 2 });
    await expect(resolver.resolve({ ...claim, attempt: 1 })).rejects.toThrow(ForgedCallError);
    records.contacts.set('demo#2026-11-22#+48601234567', {
      status: 'DIALING',
      attempts: 2,
      startedAt: '2026-11-22T09:00:00Z',
    });
    await expect(resolver.resolve(claim)).rejects.toThrow(ForgedCallError);
  });
});
