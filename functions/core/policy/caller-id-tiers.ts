/**
 * Rate tiers of caller numbers: the pure part. Each number of a pool allows at most `max` calls within any rolling
 * `per` of each of its tiers (e.g. 1 a second, 600 an hour, 5,000 a day). Its usage is stored as counts per slot,
 * a slot being 1/60 of the tier's period (in whole milliseconds); a call is allowed only if the calls of every slot that overlaps the last
 * period, the oldest partly outside it included, leave room for it. Counting that partial slot whole makes the
 * check strict: no rolling period ever holds more than `max` calls (at the price of up to 1/60 of a period of
 * capacity), and the stored usage stays at about 60 numbers per tier whatever the rate.
 *
 * The usage item of a number is written in the claim transaction, conditional on the version read, so dispatchers
 * of several campaigns sharing a number cannot both take its last room (docs/contact-policy.md).
 */
import type { CallerIdPool, CallerNumber, CallerTier } from './contact-policy.ts';
import { periodSeconds } from './contact-policy.ts';

/** Slots a tier's period is cut into. */
export const SLOTS_PER_PERIOD = 60;

/** A number's use: per tier (keyed by its period in seconds), calls per slot index. */
export type TierUsage = Record<string, Record<string, number>>;

/** A number's stored usage with its version (0: never used). */
export interface CallerUsage {
  number: string;
  version: number;
  usage: TierUsage;
}

/** Whole milliseconds (rounded up), so slot arithmetic is exact; any slot length keeps the check strict. */
const slotMsOf = (tier: CallerTier): number => Math.ceil((periodSeconds(tier.per) * 1000) / SLOTS_PER_PERIOD);
const tierKey = (tier: CallerTier): string => String(periodSeconds(tier.per));
const slotOf = (slotMs: number, at: number): number => Math.floor(at / slotMs);

/** Calls of the tier counted at `now`: every slot from the one holding `now − per` to the one holding `now`. */
function countedCalls(usage: TierUsage, tier: CallerTier, now: number): number {
  const slotMs = slotMsOf(tier);
  const first = slotOf(slotMs, now - periodSeconds(tier.per) * 1000);
  let total = 0;
  for (const [slot, calls] of Object.entries(usage[tierKey(tier)] ?? {})) {
    if (Number(slot) >= first) total += calls;
  }
  return total;
}

/** How much of each tier a number uses at `now` (what the status and the dashboard show). */
export function tierUse(
  usage: TierUsage,
  tiers: readonly CallerTier[],
  now: Date,
): Array<{ per: string; max: number; used: number }> {
  return tiers.map((tier) => ({ per: tier.per, max: tier.max, used: countedCalls(usage, tier, now.getTime()) }));
}

/** Whether one more call at `now` keeps every tier. */
export function hasRoom(usage: TierUsage, tiers: readonly CallerTier[], now: Date): boolean {
  return tiers.every((tier) => countedCalls(usage, tier, now.getTime()) + 1 <= tier.max);
}

/** The usage after a call at `now`, with slots that can no longer be counted dropped. */
export function recordUse(usage: TierUsage, tiers: readonly CallerTier[], now: Date): TierUsage {
  const at = now.getTime();
  const next: TierUsage = {};
  for (const tier of tiers) {
    const slotMs = slotMsOf(tier);
    const first = slotOf(slotMs, at - periodSeconds(tier.per) * 1000);
    const kept: Record<string, number> = {};
    for (const [slot, calls] of Object.entries(usage[tierKey(tier)] ?? {})) {
      if (Number(slot) >= first) kept[slot] = calls;
    }
    const current = String(slotOf(slotMs, at));
    kept[current] = (kept[current] ?? 0) + 1;
    next[tierKey(tier)] = kept;
  }
  return next;
}

/**
 * The earliest time at or after `now` with room for one call, if nothing else is dialled: for each full tier, the
 * time enough of its oldest slots have left the counted span.
 */
export function nextRoomAt(usage: TierUsage, tiers: readonly CallerTier[], now: Date): Date {
  let at = now.getTime();
  for (const tier of tiers) {
    const excess = countedCalls(usage, tier, at) + 1 - tier.max;
    if (excess <= 0) continue;
    const slotMs = slotMsOf(tier);
    const periodMs = periodSeconds(tier.per) * 1000;
    const first = slotOf(slotMs, at - periodMs);
    const slots = Object.entries(usage[tierKey(tier)] ?? {})
      .map(([slot, calls]) => ({ slot: Number(slot), calls }))
      .filter((entry) => entry.slot >= first)
      .sort((a, b) => a.slot - b.slot);
    let leaving = 0;
    for (const { slot, calls } of slots) {
      leaving += calls;
      if (leaving >= excess) {
        // Slot `slot` stops being counted once `now − per` is past its end.
        at = Math.max(at, (slot + 1) * slotMs + periodMs);
        break;
      }
    }
  }
  return new Date(at);
}

/** The length of the matching prefix of `number` for a caller number (0: none, or the number has no prefixes). */
function prefixMatch(entry: CallerNumber, callee: string): number {
  let best = 0;
  for (const prefix of entry.prefixes) if (callee.startsWith(prefix) && prefix.length > best) best = prefix.length;
  return best;
}

export type CallerChoice = { kind: 'NUMBER'; number: string } | { kind: 'EXHAUSTED'; roomAt: Date };

/**
 * The number of `pool` to call `callee` from at `now`: among the numbers with room, those whose prefix matches the
 * callee's number best (local presence), then the one with the fewest calls in its shortest tier, ties broken by
 * `random`. None with room: when the first one will have some.
 */
export function chooseCallerNumber(
  pool: CallerIdPool,
  usage: ReadonlyMap<string, TierUsage>,
  callee: string,
  now: Date,
  random: () => number = Math.random,
): CallerChoice {
  let best: { number: string; match: number; load: number; tie: number } | undefined;
  let roomAt = Number.POSITIVE_INFINITY;
  for (const entry of pool.numbers) {
    const used = usage.get(entry.number) ?? {};
    if (!hasRoom(used, entry.tiers, now)) {
      roomAt = Math.min(roomAt, nextRoomAt(used, entry.tiers, now).getTime());
      continue;
    }
    const shortest = [...entry.tiers].sort((a, b) => periodSeconds(a.per) - periodSeconds(b.per))[0];
    const candidate = {
      number: entry.number,
      match: prefixMatch(entry, callee),
      load: shortest === undefined ? 0 : countedCalls(used, shortest, now.getTime()) / shortest.max,
      tie: random(),
    };
    if (
      best === undefined ||
      candidate.match > best.match ||
      (candidate.match === best.match &&
        (candidate.load < best.load || (candidate.load === best.load && candidate.tie < best.tie)))
    ) {
      best = candidate;
    }
  }
  if (best !== undefined) return { kind: 'NUMBER', number: best.number };
  return { kind: 'EXHAUSTED', roomAt: new Date(Number.isFinite(roomAt) ? roomAt : now.getTime() + 1000) };
}

/** The tiers of a pool's number (undefined for a number the pool does not have). */
export function tiersOf(pool: CallerIdPool, number: string): readonly CallerTier[] | undefined {
  return pool.numbers.find((entry) => entry.number === number)?.tiers;
}

/** Run counters of calls placed from one caller number: `cid_48221110001` for `+48221110001`. */
export const CALLER_COUNTER_PREFIX = 'cid_';
export const callerIdCounter = (callerNumber: string): string =>
  `${CALLER_COUNTER_PREFIX}${callerNumber.replace(/^\+/, '')}`;
