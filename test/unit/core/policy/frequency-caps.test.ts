import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CapRule, CapRuleSchema, periodSeconds } from '../../../../functions/core/policy/contact-policy.ts';
import {
  decideCaps,
  EMPTY_LEDGER,
  foldLedger,
  type LedgerCall,
  type PersonLedger,
  recordCall,
} from '../../../../functions/core/policy/frequency-caps.ts';

const rule = (input: Record<string, unknown>): CapRule => CapRuleSchema.parse(input);
const DAILY = rule({ id: 'daily', within: 'P1D', max: 1 });
const MONTHLY = rule({ id: 'monthly', within: 'P30D', max: 3 });
const ANSWERED_WEEKLY = rule({ id: 'answered-weekly', within: 'P7D', max: 2, counts: 'ANSWERED' });

const call = (id: string, at: string, extra: Partial<LedgerCall> = {}): LedgerCall => ({
  id,
  at,
  purpose: 'INFORMATIONAL',
  ...extra,
});

describe('decideCaps', () => {
  it('allows a person nobody called', () => {
    expect(decideCaps([DAILY, MONTHLY], [], new Date('2026-03-02T10:00:00Z'))).toEqual({ kind: 'ALLOWED' });
  });

  it('holds a second call within a day until the first leaves the period', () => {
    const decision = decideCaps([DAILY], [call('a#1', '2026-03-02T09:00:00Z')], new Date('2026-03-02T15:00:00Z'));
    expect(decision).toEqual({ kind: 'HELD', rule: 'daily', until: new Date('2026-03-03T09:00:00Z') });
    expect(decideCaps([DAILY], [call('a#1', '2026-03-02T09:00:00Z')], new Date('2026-03-03T09:00:00Z'))).toEqual({
      kind: 'ALLOWED',
    });
  });

  it('frees a person when the last rule holding them does', () => {
    const calls = [
      call('a#1', '2026-03-01T09:00:00Z'),
      call('b#1', '2026-03-10T09:00:00Z'),
      call('c#1', '2026-03-20T09:00:00Z'),
    ];
    const decision = decideCaps([DAILY, MONTHLY], calls, new Date('2026-03-20T12:00:00Z'));
    // The daily rule frees on the 21st; the monthly one when the call of the 1st is 30 days old.
    expect(decision).toEqual({ kind: 'HELD', rule: 'monthly', until: new Date('2026-03-31T09:00:00Z') });
  });

  it('counts answered calls, and calls still in progress, for ANSWERED rules', () => {
    const now = new Date('2026-03-05T10:00:00Z');
    const unanswered = [
      call('a#1', '2026-03-02T09:00:00Z', { answered: false }),
      call('a#2', '2026-03-03T09:00:00Z', { answered: false }),
    ];
    expect(decideCaps([ANSWERED_WEEKLY], unanswered, now).kind).toBe('ALLOWED');
    const inProgress = [call('a#1', '2026-03-02T09:00:00Z', { answered: true }), call('b#1', '2026-03-05T09:59:00Z')];
    expect(decideCaps([ANSWERED_WEEKLY], inProgress, now)).toEqual({
      kind: 'HELD',
      rule: 'answered-weekly',
      until: new Date('2026-03-09T09:00:00Z'),
    });
  });

  it('counts only the calls of campaigns a scoped rule applies to', () => {
    const commercial = rule({ id: 'fr', within: 'P30D', max: 1, appliesTo: { purposes: ['COMMERCIAL'] } });
    const reminders = rule({ id: 'reminders', within: 'P1D', max: 1, appliesTo: { categories: ['reminder'] } });
    const now = new Date('2026-03-02T12:00:00Z');
    const informational = [call('a#1', '2026-03-02T09:00:00Z')];
    expect(decideCaps([commercial, reminders], informational, now).kind).toBe('ALLOWED');
    const reminder = [call('a#1', '2026-03-02T09:00:00Z', { category: 'reminder' })];
    expect(decideCaps([reminders], reminder, now).kind).toBe('HELD');
  });
});

describe('the ledger', () => {
  it('folds answers and undone dials into the calls', () => {
    const ledger: PersonLedger = {
      version: 3,
      calls: [
        call('a#1', '2026-03-02T09:00:00Z'),
        call('a#2', '2026-03-02T10:00:00Z'),
        call('b#1', '2026-03-02T11:00:00Z'),
      ],
      events: [
        { id: 'a#1', answered: false },
        { id: 'a#2', undone: true },
        { id: 'b#1', answered: true },
      ],
    };
    expect(foldLedger(ledger)).toEqual([
      call('a#1', '2026-03-02T09:00:00Z', { answered: false }),
      call('b#1', '2026-03-02T11:00:00Z', { answered: true }),
    ]);
  });

  it('keeps only calls within the longest rule, at most 100', () => {
    const calls = Array.from({ length: 150 }, (_, index) =>
      call(`a#${index}`, new Date(Date.parse('2026-03-01T00:00:00Z') + index * 60_000).toISOString()),
    );
    const now = new Date('2026-03-01T03:00:00Z');
    const recorded = recordCall({ calls, events: [] }, call('b#1', now.toISOString()), [DAILY], now);
    expect(recorded).toHaveLength(100);
    expect(recorded.at(-1)?.id).toBe('b#1');
    const old = recordCall(
      { calls: [call('a#1', '2026-02-01T00:00:00Z')], events: [] },
      call('b#1', now.toISOString()),
      [DAILY],
      now,
    );
    expect(old.map((kept) => kept.id)).toEqual(['b#1']);
  });
});

/**
 * Campaigns racing for the same person: each reads the ledger, decides, and writes only if the version is still
 * the one it read (the claim transaction's condition). Whatever the interleaving, no rule's period ever holds more
 * calls than the rule allows.
 */
describe('concurrent claims', () => {
  const rulesArbitrary = fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('r1', 'r2', 'r3'),
      within: fc.constantFrom('PT1H', 'PT6H', 'P1D', 'P7D'),
      max: fc.integer({ min: 1, max: 4 }),
      counts: fc.constantFrom('ATTEMPTS' as const, 'ANSWERED' as const),
    }),
    { minLength: 1, maxLength: 3, selector: (entry) => entry.id },
  );
  const stepsArbitrary = fc.array(
    fc.record({
      claimer: fc.integer({ min: 0, max: 3 }),
      action: fc.constantFrom('read' as const, 'write' as const, 'answer' as const, 'hangUp' as const),
      advanceMinutes: fc.integer({ min: 0, max: 600 }),
    }),
    { maxLength: 200 },
  );

  it('never lets two campaigns both pass a cap', () => {
    fc.assert(
      fc.property(rulesArbitrary, stepsArbitrary, (ruleInputs, steps) => {
        const rules = ruleInputs.map((input) => rule(input));
        let stored: PersonLedger = EMPTY_LEDGER;
        let clock = Date.parse('2026-03-02T08:00:00Z');
        const reads = new Map<number, { ledger: PersonLedger; at: number }>();
        const placed: Array<{ id: string; at: number; answered?: boolean }> = [];
        let attempt = 0;
        for (const step of steps) {
          clock += step.advanceMinutes * 60_000;
          if (step.action === 'read') reads.set(step.claimer, { ledger: structuredClone(stored), at: clock });
          if (step.action === 'write') {
            const read = reads.get(step.claimer);
            reads.delete(step.claimer);
            if (read === undefined) continue;
            const now = new Date(clock);
            if (decideCaps(rules, foldLedger(read.ledger), now).kind !== 'ALLOWED') continue;
            if (stored.version !== read.ledger.version) continue; // the condition fails: read again
            const id = `c${step.claimer}#${attempt++}`;
            stored = {
              version: stored.version + 1,
              calls: recordCall(read.ledger, { id, at: now.toISOString(), purpose: 'INFORMATIONAL' }, rules, now),
              events: [],
            };
            placed.push({ id, at: clock });
          }
          if (step.action === 'answer' || step.action === 'hangUp') {
            const open = placed.find((entry) => entry.answered === undefined);
            if (open === undefined) continue;
            open.answered = step.action === 'answer';
            stored = {
              ...stored,
              version: stored.version + 1,
              events: [...stored.events, { id: open.id, answered: open.answered }],
            };
          }
        }
        for (const current of rules) {
          const periodMs = periodSeconds(current.within) * 1000;
          for (const entry of placed) {
            const inPeriod = placed.filter(
              (other) =>
                other.at <= entry.at &&
                other.at > entry.at - periodMs &&
                (current.counts === 'ATTEMPTS' || other.answered !== false),
            );
            if (inPeriod.length > current.max) return false;
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
