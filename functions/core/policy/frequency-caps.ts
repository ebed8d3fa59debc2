/**
 * Frequency caps per person, across campaigns and days: the pure part. A person's ledger (one item per phone
 * number, docs/data-model.md) remembers their recent calls; before a call is placed the dispatcher reads it,
 * {@link decideCaps} says whether the call may go ahead, and the claim writes the call into the ledger in the same
 * transaction, conditional on the ledger's version: two campaigns reading the same ledger cannot both write it, so
 * they cannot both pass a cap.
 *
 * Answers reach the ledger later (the call-ended transaction appends an event instead of rewriting the list), and
 * are folded in by the next claim. A call whose end is not known yet counts as answered for `ANSWERED` rules, so
 * a call in progress cannot be overtaken by another campaign's.
 */
import { type CallScope, type CapRule, LEDGER_CALLS, periodSeconds, ruleApplies } from './contact-policy.ts';

/** One call a person got, as their ledger keeps it. */
export interface LedgerCall extends CallScope {
  /** The attempt: `<campaignId>#<date>#<attempt>`. */
  id: string;
  /** When it was placed (ISO 8601). */
  at: string;
  /** Picked up by a person; `undefined` while the call's end is not known. */
  answered?: boolean;
}

/** What the end of a call adds to the ledger. */
export interface LedgerEvent {
  id: string;
  /** The call ended; picked up or not. */
  answered?: boolean;
  /** The dial was refused before it rang (the attempt was undone): the call never happened. */
  undone?: boolean;
}

/** A person's ledger as stored. `version` 0 is a ledger that does not exist yet. */
export interface PersonLedger {
  version: number;
  calls: LedgerCall[];
  events: LedgerEvent[];
}

export const EMPTY_LEDGER: PersonLedger = { version: 0, calls: [], events: [] };

export type CapDecision =
  | { kind: 'ALLOWED' }
  | {
      kind: 'HELD';
      /** The rule that frees the person last. */
      rule: string;
      /** When every rule holding the person lets a call through again, if nobody calls them before. */
      until: Date;
    };

/** The ledger's calls with the events applied: undone calls gone, ended calls marked answered or not. */
export function foldLedger(ledger: Pick<PersonLedger, 'calls' | 'events'>): LedgerCall[] {
  const ends = new Map<string, LedgerEvent>();
  for (const event of ledger.events) ends.set(event.id, { ...ends.get(event.id), ...event });
  const calls: LedgerCall[] = [];
  for (const call of ledger.calls) {
    const end = ends.get(call.id);
    if (end?.undone) continue;
    calls.push(end?.answered === undefined ? call : { ...call, answered: end.answered });
  }
  return calls;
}

/** Whether the call counts towards `rule` (answered calls, or calls whose end is not known yet). */
function counts(rule: CapRule, call: LedgerCall): boolean {
  return ruleApplies(rule, call) && (rule.counts === 'ATTEMPTS' || call.answered !== false);
}

/**
 * Whether a call at `now` keeps every rule in `rules` (the rules holding the campaign back), given the person's
 * folded calls. Held: the time the last of the rules holding the person lets a call through, assuming no other
 * call is placed before it.
 */
export function decideCaps(rules: readonly CapRule[], calls: readonly LedgerCall[], now: Date): CapDecision {
  let held: { rule: string; until: number } | undefined;
  for (const rule of rules) {
    const periodMs = periodSeconds(rule.within) * 1000;
    const since = now.getTime() - periodMs;
    const within = calls
      .filter((call) => counts(rule, call) && Date.parse(call.at) > since)
      .map((call) => Date.parse(call.at))
      .sort((a, b) => b - a);
    if (within.length < rule.max) continue;
    // The max-th most recent call leaves the period first among those that must leave for a call to fit.
    const until = (within[rule.max - 1] ?? now.getTime()) + periodMs;
    if (held === undefined || until > held.until) held = { rule: rule.id, until };
  }
  return held === undefined ? { kind: 'ALLOWED' } : { kind: 'HELD', rule: held.rule, until: new Date(held.until) };
}

/**
 * The ledger's calls after `call` is placed at `now`: events folded in, calls older than the longest rule's period
 * dropped, at most {@link LEDGER_CALLS} kept (the latest). Rules allow at most 50 calls, so dropping the oldest of
 * more than 100 recent calls never lets a call through that the kept ones would have held.
 */
export function recordCall(
  ledger: Pick<PersonLedger, 'calls' | 'events'>,
  call: LedgerCall,
  rules: readonly CapRule[],
  now: Date,
): LedgerCall[] {
  const keepMs = Math.max(0, ...rules.map((rule) => periodSeconds(rule.within) * 1000));
  const since = now.getTime() - keepMs;
  return [...foldLedger(ledger).filter((kept) => kept.id !== call.id && Date.parse(kept.at) > since), call]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .slice(-LEDGER_CALLS);
}

/** The ledger id of an attempt. */
export const ledgerCallId = (campaignId: string, date: string, attempt: number): string =>
  `${campaignId}#${date}#${attempt}`;
