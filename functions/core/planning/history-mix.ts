/**
 * An outcome mix learnt from a campaign's past runs: shares from the runs' outcome counters (`o_<OUTCOME>`, every
 * attempt counted once), line and talk times from a sample of their attempt logs. Where the sample says too little
 * about an outcome, its times come from the fallback mix.
 */
import { type AttemptOutcome, AttemptOutcomeSchema } from '../campaign.ts';
import { ANSWERED_OUTCOMES, MAX_LINE_SECONDS, type MixEntry, type OutcomeMix } from './outcome-mix.ts';

/** One ended attempt, as its contact's attempt log records it. */
export interface AttemptSample {
  outcome: AttemptOutcome;
  lineSeconds: number;
  talkSeconds?: number;
}

/** Samples of one outcome needed before its own times replace the fallback's. */
export const MIN_SAMPLES_PER_OUTCOME = 5;
/** Samples kept per outcome (a distribution of observed values, each equally likely). */
const MAX_SAMPLES_PER_OUTCOME = 500;

/** Attempts per outcome in counters (`o_<OUTCOME>`). */
export function outcomeCounts(counters: Readonly<Record<string, number>>): Partial<Record<AttemptOutcome, number>> {
  const counts: Partial<Record<AttemptOutcome, number>> = {};
  for (const [name, value] of Object.entries(counters)) {
    const outcome = AttemptOutcomeSchema.safeParse(name.slice(2));
    if (!name.startsWith('o_') || !outcome.success || !(value > 0)) continue;
    counts[outcome.data] = (counts[outcome.data] ?? 0) + value;
  }
  return counts;
}

/**
 * The mix of `counts` with times from `samples`, or `undefined` when the counts hold no attempt. Outcomes the
 * fallback does not know and the sample does not show get the fallback's mean line time.
 */
export function mixFromHistory(input: {
  counts: Partial<Record<AttemptOutcome, number>>;
  samples: readonly AttemptSample[];
  fallback: OutcomeMix;
}): OutcomeMix | undefined {
  const total = Object.values(input.counts).reduce((sum, count) => sum + (count ?? 0), 0);
  if (!(total > 0)) return undefined;
  const mix: OutcomeMix = {};
  for (const outcome of AttemptOutcomeSchema.options) {
    const count = input.counts[outcome] ?? 0;
    if (!(count > 0)) continue;
    const observed = input.samples
      .filter((sample) => sample.outcome === outcome && Number.isFinite(sample.lineSeconds) && sample.lineSeconds >= 0)
      .slice(0, MAX_SAMPLES_PER_OUTCOME);
    mix[outcome] = { share: count / total, ...timesOf(outcome, observed, input.fallback) };
  }
  return mix;
}

function timesOf(
  outcome: AttemptOutcome,
  observed: readonly AttemptSample[],
  fallback: OutcomeMix,
): Pick<MixEntry, 'lineSeconds' | 'ringSeconds'> {
  if (observed.length >= MIN_SAMPLES_PER_OUTCOME) {
    const line = observed.map((sample) => clampSeconds(sample.lineSeconds));
    const answered = ANSWERED_OUTCOMES.has(outcome);
    const rings = observed
      .filter((sample) => sample.talkSeconds !== undefined)
      .map((sample) => clampSeconds(sample.lineSeconds - (sample.talkSeconds ?? 0)));
    return {
      lineSeconds: { samples: line },
      ...(answered && rings.length >= MIN_SAMPLES_PER_OUTCOME && { ringSeconds: { samples: rings } }),
    };
  }
  const known = fallback[outcome];
  if (known !== undefined) {
    return {
      lineSeconds: known.lineSeconds,
      ...(known.ringSeconds !== undefined && { ringSeconds: known.ringSeconds }),
    };
  }
  return { lineSeconds: meanLine(fallback) };
}

function meanLine(mix: OutcomeMix): number {
  let weighted = 0;
  let shares = 0;
  for (const entry of Object.values(mix)) {
    if (entry === undefined) continue;
    const line = entry.lineSeconds;
    const mean =
      typeof line === 'number'
        ? line
        : 'samples' in line
          ? line.samples.reduce((sum, value) => sum + value, 0) / line.samples.length
          : (line.min + line.max) / 2;
    weighted += entry.share * mean;
    shares += entry.share;
  }
  return shares > 0 ? weighted / shares : 30;
}

const clampSeconds = (value: number): number => Math.min(MAX_LINE_SECONDS, Math.max(0, Math.round(value * 10) / 10));
