import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryDialingStore } from '../../../../functions/adapters/in-memory/dialing-store.ts';
import { IndexedDialingStore } from '../../../../functions/adapters/in-memory/indexed-dialing-store.ts';

const DATE = '2026-03-02';
const T0 = Date.parse('2026-03-02T09:00:00Z');
const phoneOf = (index: number) => `+99900000${String(index).padStart(4, '0')}`;

type Operation =
  | { kind: 'claim'; contact: number }
  | { kind: 'finish'; contact: number; retryInSeconds: number | null }
  | { kind: 'reschedule'; contact: number; atSeconds: number }
  | { kind: 'close'; contact: number }
  | { kind: 'read'; atSeconds: number; limit: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), contact: fc.integer({ min: 0, max: 11 }) }),
  fc.record({
    kind: fc.constant('finish' as const),
    contact: fc.integer({ min: 0, max: 11 }),
    retryInSeconds: fc.option(fc.integer({ min: 0, max: 100 })),
  }),
  fc.record({
    kind: fc.constant('reschedule' as const),
    contact: fc.integer({ min: 0, max: 11 }),
    atSeconds: fc.integer({ min: 0, max: 100 }),
  }),
  fc.record({ kind: fc.constant('close' as const), contact: fc.integer({ min: 0, max: 11 }) }),
  fc.record({
    kind: fc.constant('read' as const),
    atSeconds: fc.integer({ min: 0, max: 200 }),
    limit: fc.integer({ min: 1, max: 15 }),
  }),
);

describe('IndexedDialingStore', () => {
  it('finds the same due contacts, in the same order, and the same contacts as the plain store, after any operations (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }),
        fc.array(operation, { maxLength: 60 }),
        async (dueSeconds, operations) => {
          const caps = { maxConcurrentCalls: 3, dialsPerSecond: 2 };
          const stores = [new InMemoryDialingStore(caps), new IndexedDialingStore(caps)];
          for (const store of stores) {
            store.openRun('sim', DATE);
            dueSeconds.forEach((seconds, index) => {
              store.addContact({
                campaignId: 'sim',
                date: DATE,
                phone: phoneOf(index),
                timeZone: 'Europe/Warsaw',
                dueAt: new Date(T0 + seconds * 1000),
              });
            });
          }
          for (const step of operations) {
            const results = await Promise.all(stores.map((store) => apply(store, step, dueSeconds.length)));
            expect(results[1]).toEqual(results[0]);
          }
          const all = await Promise.all(stores.map((store) => store.due('sim', DATE, new Date(T0 + 10_000_000), 100)));
          expect(all[1]).toEqual(all[0]);
          for (let index = 0; index < dueSeconds.length; index++) {
            const copies = await Promise.all(stores.map((store) => store.get('sim', DATE, phoneOf(index))));
            expect(copies[1]).toEqual(copies[0]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

async function apply(store: InMemoryDialingStore, step: Operation, contacts: number): Promise<unknown> {
  const phone = phoneOf(step.kind === 'read' ? 0 : step.contact % contacts);
  const contact = await store.get('sim', DATE, phone);
  switch (step.kind) {
    case 'claim': {
      if (contact === undefined) return undefined;
      const [line] = await store.shards();
      if (line === undefined) return undefined;
      return store.claim({ ...contact }, line, new Date(T0), 600);
    }
    case 'finish':
      if (contact?.status !== 'DIALING') return undefined;
      return store.finish({
        ref: { campaignId: 'sim', date: DATE, phone, attempt: contact.attempts },
        line: contact.attemptLog.at(-1)?.line ?? 0,
        logIndex: contact.attempts - 1,
        outcome: 'NO_ANSWER',
        next:
          step.retryInSeconds === null
            ? { kind: 'FINAL', status: 'NO_ANSWER' }
            : { kind: 'RETRY', at: new Date(T0 + step.retryInSeconds * 1000) },
        endedAt: new Date(T0),
      });
    case 'reschedule':
      return store.reschedule('sim', DATE, phone, new Date(T0 + step.atSeconds * 1000));
    case 'close':
      return store.closeWaiting('sim', DATE, phone, 'SUPPRESSED');
    case 'read':
      return [
        await store.due('sim', DATE, new Date(T0 + step.atSeconds * 1000), step.limit),
        await store.nextDue('sim', DATE),
      ];
  }
}
