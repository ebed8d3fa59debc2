/** The fault proxy's item holds: who holds what, until when, and what conflicts with it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ItemLocks } from '../../../local/dynamodb-item-locks.ts';

describe('ItemLocks', () => {
  it('holds a transaction’s items while it runs and for its hold time after, then lets them go', () => {
    const locks = new ItemLocks();

    expect(locks.acquire('tx-1', ['a', 'b'], 0)).toEqual({ acquired: true });
    expect(locks.acquire('tx-2', ['c', 'b'], 5)).toEqual({ acquired: false, conflicts: [1] });
    expect(locks.heldByOthers('tx-2', ['a', 'c', 'b'], 1_000_000)).toEqual([0, 2]); // in flight: no end yet
    locks.settle('tx-1', ['a', 'b'], 110);

    expect(locks.heldByOthers('tx-2', ['a', 'c', 'b'], 109)).toEqual([0, 2]);
    expect(locks.heldByOthers('tx-2', ['a', 'c', 'b'], 110)).toEqual([]);
    expect(locks.acquire('tx-2', ['c', 'b'], 110)).toEqual({ acquired: true });
  });

  it('never conflicts an owner with itself (a retried transaction keeps its ClientRequestToken)', () => {
    const locks = new ItemLocks();
    locks.acquire('token-1', ['a'], 0);
    locks.settle('token-1', ['a'], 100);

    expect(locks.acquire('token-1', ['a'], 50)).toEqual({ acquired: true });
  });

  it('frees a refused transaction’s items at once, but not another owner’s', () => {
    const locks = new ItemLocks();
    locks.acquire('tx-1', ['a'], 0);
    locks.release('tx-2', ['a']);
    expect(locks.heldByOthers('tx-3', ['a'], 1)).toEqual([0]);

    locks.release('tx-1', ['a']);
    expect(locks.heldByOthers('tx-3', ['a'], 1)).toEqual([]);
  });

  it('counts plain writes in flight as busy for reads in a transaction, not as holds for writers', () => {
    const locks = new ItemLocks();
    locks.beginWrite(['a', 'a']);
    locks.endWrite(['a']);

    expect(locks.busy(['b', 'a'], 0)).toEqual([1]);
    expect(locks.heldByOthers('tx', ['a'], 0)).toEqual([]);
    locks.endWrite(['a']);
    expect(locks.busy(['b', 'a'], 0)).toEqual([]);
  });

  it('sweeps ended holds so the table only keeps what is held', () => {
    const locks = new ItemLocks();
    locks.acquire('tx-1', ['a', 'b'], 0);
    locks.settle('tx-1', ['a', 'b'], 10);
    locks.acquire('tx-2', ['c'], 0);

    locks.sweep(10);
    expect(locks.heldCount(10)).toBe(1);
    expect(locks.heldByOthers('x', ['a', 'b', 'c'], 10)).toEqual([2]);
  });

  it('agrees with a plain list of holds over any sequence of transactions', () => {
    const item = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e');
    const step = fc.record({
      owner: fc.constantFrom('t1', 't2', 't3', 't4'),
      items: fc.uniqueArray(item, { minLength: 1, maxLength: 4 }),
      advance: fc.integer({ min: 0, max: 30 }),
      outcome: fc.constantFrom('commit', 'fail', 'in-flight'),
      hold: fc.integer({ min: 0, max: 40 }),
      sweep: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const locks = new ItemLocks();
        let model: Array<{ owner: string; item: string; until: number }> = [];
        let now = 0;
        for (const { owner, items, advance, outcome, hold, sweep } of steps) {
          now += advance;
          const expected = items.flatMap((name, index) =>
            model.some((entry) => entry.item === name && entry.owner !== owner && entry.until > now) ? [index] : [],
          );
          const result = locks.acquire(owner, items, now);

          expect(result).toEqual(expected.length > 0 ? { acquired: false, conflicts: expected } : { acquired: true });
          if (!result.acquired) continue;
          model = model.filter((entry) => !items.includes(entry.item));
          if (outcome === 'commit') {
            locks.settle(owner, items, now + hold);
            model.push(...items.map((name) => ({ owner, item: name, until: now + hold })));
          } else if (outcome === 'fail') {
            locks.release(owner, items);
          } else {
            model.push(...items.map((name) => ({ owner, item: name, until: Number.POSITIVE_INFINITY })));
          }
          if (sweep) locks.sweep(now);
          expect(locks.heldCount(now)).toBe(model.filter((entry) => entry.until > now).length);
        }
      }),
    );
  });
});
