/**
 * A tick's view of its campaign's caller-ID pool: every number's use against its tiers, read once at the start of
 * the tick and kept up to date by the tick's own claims. Choosing a number is local (no I/O); the claim then
 * writes the number's usage conditional on the version the view holds, so a number another dispatcher used in the
 * meantime is refused (CALLER_ID_CHANGED), read again and chosen again: no number ever goes over a tier.
 */
import {
  type CallerChoice,
  type CallerUsage,
  chooseCallerNumber,
  recordUse,
  tiersOf,
} from '../../core/policy/caller-id-tiers.ts';
import type { CallerIdPool } from '../../core/policy/contact-policy.ts';
import type { CallerUsages, ClaimGuards } from './ports.ts';

export type PoolChoice =
  | { kind: 'NUMBER'; number: string; guard: NonNullable<ClaimGuards['callerId']> }
  | Extract<CallerChoice, { kind: 'EXHAUSTED' }>;

export class CallerPoolView {
  readonly pool: CallerIdPool;
  private readonly usages: CallerUsages;
  private readonly random: () => number;
  private readonly state = new Map<string, CallerUsage>();

  constructor(pool: CallerIdPool, usages: CallerUsages, random: () => number = Math.random) {
    this.pool = pool;
    this.usages = usages;
    this.random = random;
  }

  /** Reads every number of the pool (one BatchGetItem). */
  async load(): Promise<this> {
    for (const usage of await this.usages.read(this.pool.numbers.map((entry) => entry.number))) {
      this.state.set(usage.number, usage);
    }
    return this;
  }

  /** The number to call `callee` from at `now`, with what the claim must write; or when the pool has room again. */
  choose(callee: string, now: Date): PoolChoice {
    const usage = new Map([...this.state].map(([number, stored]) => [number, stored.usage]));
    const choice = chooseCallerNumber(this.pool, usage, callee, now, this.random);
    if (choice.kind === 'EXHAUSTED') return choice;
    const stored = this.state.get(choice.number) ?? { number: choice.number, version: 0, usage: {} };
    const tiers = tiersOf(this.pool, choice.number) ?? [];
    return {
      kind: 'NUMBER',
      number: choice.number,
      guard: { number: choice.number, version: stored.version, usage: recordUse(stored.usage, tiers, now) },
    };
  }

  /** The claim wrote the number's usage: the view now holds what it wrote. */
  claimed(guard: NonNullable<ClaimGuards['callerId']>): void {
    const current = this.state.get(guard.number);
    if (current === undefined || current.version === guard.version) {
      this.state.set(guard.number, { number: guard.number, version: guard.version + 1, usage: guard.usage });
    }
  }

  /** Someone else used the number since the view read it: read it again. */
  async refresh(number: string): Promise<void> {
    const [usage] = await this.usages.read([number]);
    if (usage !== undefined) this.state.set(number, usage);
  }
}
