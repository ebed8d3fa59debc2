/**
 * What callees do, as the planner, the pacing benchmark and the simulated Connect model it: a share per attempt
 * outcome and, per outcome, how long the attempt holds a line (ringing plus talking). Draws are seeded per
 * (contact, attempt), so the engine's simulation and the ideal dispatcher it is compared with see the same callees
 * doing the same things, whatever order they are dialled in.
 */
import { z } from 'zod';
import { type AttemptOutcome, AttemptOutcomeSchema } from '../campaign.ts';

/** Longest line time a mix may describe: a call the sweeper would reconcile long before. */
export const MAX_LINE_SECONDS = 7_200;

const SecondsSchema = z.number().min(0).max(MAX_LINE_SECONDS);

/**
 * A duration in seconds: a fixed value, `{ min, max }` drawn uniformly, or `{ samples }` (one of the observed
 * values, each as likely: how past runs' call lengths are carried).
 */
export const SecondsDistributionSchema = z.union([
  SecondsSchema,
  z
    .object({ min: SecondsSchema, max: SecondsSchema })
    .strict()
    .refine((range) => range.min <= range.max, { message: 'min must not exceed max', path: ['max'] }),
  z.object({ samples: z.array(SecondsSchema).min(1).max(2_000) }).strict(),
]);
export type SecondsDistribution = z.infer<typeof SecondsDistributionSchema>;

export const MixEntrySchema = z
  .object({
    /** Share of attempts ending this way (the shares of a mix are normalised to add up to one). */
    share: z.number().min(0).max(1),
    /** Line time of the attempt: from the dial to the hang-up, ringing included. */
    lineSeconds: SecondsDistributionSchema,
    /** For answered outcomes, the ringing part of the line time (talk = line − ring). Default 5 s. */
    ringSeconds: SecondsDistributionSchema.optional(),
  })
  .strict();
export type MixEntry = z.infer<typeof MixEntrySchema>;

export const OutcomeMixSchema = z
  .partialRecord(AttemptOutcomeSchema, MixEntrySchema)
  .refine((mix) => Object.values(mix).some((entry) => entry !== undefined && entry.share > 0), {
    message: 'at least one outcome needs a share above zero',
  });
export type OutcomeMix = z.infer<typeof OutcomeMixSchema>;

/** Outcomes of calls someone (a person or a machine) picked up: they have talk time and count as answered. */
export const ANSWERED_OUTCOMES: ReadonlySet<AttemptOutcome> = new Set<AttemptOutcome>([
  'COMPLETED',
  'PARTIAL',
  'OPTED_OUT',
  'TRANSFERRED',
  'VOICEMAIL',
]);

const DEFAULT_RING_SECONDS: SecondsDistribution = 5;

/**
 * The mix assumed when a campaign has no past runs (issue 14 and docs/planning.md): 50 % answered and held for
 * 60–180 s, 35 % not answered before the ring timeout, 10 % busy after 5 s, 5 % voicemail for 20–40 s. About 72 s
 * of line time per attempt with a 30 s ring timeout.
 */
export function defaultOutcomeMix(ringTimeoutSeconds: number): OutcomeMix {
  return {
    COMPLETED: { share: 0.5, lineSeconds: { min: 60, max: 180 }, ringSeconds: { min: 3, max: 12 } },
    NO_ANSWER: { share: 0.35, lineSeconds: ringTimeoutSeconds },
    BUSY: { share: 0.1, lineSeconds: 5 },
    VOICEMAIL: { share: 0.05, lineSeconds: { min: 20, max: 40 }, ringSeconds: { min: 5, max: 15 } },
  };
}

/** One attempt as the callee plays it. */
export interface AttemptDraw {
  outcome: AttemptOutcome;
  /** Line time, ms (whole milliseconds). */
  lineMs: number;
  /** Connected (talk) time, ms: 0 for a call nobody picked up. */
  talkMs: number;
}

/** A mix ready to draw from: shares normalised and cumulated. */
export interface PreparedMix {
  readonly outcomes: readonly AttemptOutcome[];
  readonly cumulative: readonly number[];
  readonly entries: readonly MixEntry[];
}

/** Normalises the shares (outcomes with share 0 are dropped). */
export function prepareMix(mix: OutcomeMix): PreparedMix {
  const present = AttemptOutcomeSchema.options.flatMap((outcome) => {
    const entry = mix[outcome];
    return entry !== undefined && entry.share > 0 ? [{ outcome, entry }] : [];
  });
  const total = present.reduce((sum, { entry }) => sum + entry.share, 0);
  if (!(total > 0)) throw new RangeError('an outcome mix needs at least one share above zero');
  let running = 0;
  const cumulative = present.map(({ entry }) => {
    running += entry.share / total;
    return running;
  });
  return { outcomes: present.map(({ outcome }) => outcome), cumulative, entries: present.map(({ entry }) => entry) };
}

/** The shares of a mix, normalised. */
export function sharesOf(mix: PreparedMix): Partial<Record<AttemptOutcome, number>> {
  return Object.fromEntries(
    mix.outcomes.map((outcome, index) => [outcome, (mix.cumulative[index] ?? 0) - (mix.cumulative[index - 1] ?? 0)]),
  );
}

/** Mean of a distribution, seconds. */
export function meanSeconds(distribution: SecondsDistribution): number {
  if (typeof distribution === 'number') return distribution;
  if ('samples' in distribution) {
    return distribution.samples.reduce((sum, value) => sum + value, 0) / distribution.samples.length;
  }
  return (distribution.min + distribution.max) / 2;
}

/** Mean line time per attempt of a mix, seconds: d̄ of the physical bound. */
export function meanLineSeconds(mix: PreparedMix): number {
  return mix.entries.reduce(
    (sum, entry, index) =>
      sum + ((mix.cumulative[index] ?? 0) - (mix.cumulative[index - 1] ?? 0)) * meanSeconds(entry.lineSeconds),
    0,
  );
}

/** Mean talk time per attempt, seconds (answered outcomes only; 0 for the others). */
export function meanTalkSeconds(mix: PreparedMix): number {
  return mix.entries.reduce((sum, entry, index) => {
    const outcome = mix.outcomes[index];
    if (outcome === undefined || !ANSWERED_OUTCOMES.has(outcome)) return sum;
    const share = (mix.cumulative[index] ?? 0) - (mix.cumulative[index - 1] ?? 0);
    const ring = meanSeconds(entry.ringSeconds ?? DEFAULT_RING_SECONDS);
    return sum + share * Math.max(0, meanSeconds(entry.lineSeconds) - ring);
  }, 0);
}

/**
 * What the callee does on `attempt` of `contact`: the same answer for the same (seed, contact, attempt), whoever
 * asks and in whatever order.
 */
export function drawAttempt(mix: PreparedMix, seed: number, contact: string, attempt: number): AttemptDraw {
  const random = seededRandom(hashOf(seed, contact, attempt));
  const pick = random();
  let index = mix.cumulative.findIndex((bound) => pick < bound);
  if (index < 0) index = mix.cumulative.length - 1;
  const outcome = mix.outcomes[index] ?? 'UNKNOWN';
  const entry = mix.entries[index];
  const lineMs = Math.round(sample(entry?.lineSeconds ?? 0, random()) * 1000);
  const ringMs = Math.round(sample(entry?.ringSeconds ?? DEFAULT_RING_SECONDS, random()) * 1000);
  return { outcome, lineMs, talkMs: ANSWERED_OUTCOMES.has(outcome) ? Math.max(0, lineMs - ringMs) : 0 };
}

function sample(distribution: SecondsDistribution, unit: number): number {
  if (typeof distribution === 'number') return distribution;
  if ('samples' in distribution) {
    const { samples } = distribution;
    return samples[Math.min(samples.length - 1, Math.floor(unit * samples.length))] ?? 0;
  }
  return distribution.min + unit * (distribution.max - distribution.min);
}

/** FNV-1a over the seed, the contact and the attempt. */
function hashOf(seed: number, contact: string, attempt: number): number {
  let hash = 0x811c9dc5 ^ (seed | 0);
  const mix = (code: number) => {
    hash ^= code;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  };
  for (let index = 0; index < contact.length; index++) mix(contact.charCodeAt(index));
  mix(0x23);
  mix(attempt & 0xff);
  mix((attempt >>> 8) & 0xff);
  return hash >>> 0;
}

/** mulberry32: small, fast, and good enough for callee behaviour. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
