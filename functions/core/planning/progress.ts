/**
 * What a run's own progress says about the rest of it, for the live estimate of its finish
 * (functions/use-cases/planning/estimate-finish.ts): how fast it dials and how long its calls hold a line (from the
 * counters and the minute samples of its history), which contacts are still open and how far along they are, and
 * the outcome mix it has seen so far. Pure: counters and samples in, numbers out.
 */
import type { AttemptOutcome, RetryPolicy } from '../campaign.ts';
import type { ContactGroup } from './contact-groups.ts';
import { meanLineSeconds, type OutcomeMix, prepareMix, type SecondsDistribution } from './outcome-mix.ts';

export interface PaceSample {
  /** Epoch ms. */
  at: number;
  inFlight: number;
  attemptsStarted: number;
}

/** How long the pace is measured over (the last minutes, not the whole day: a run slows down as it ends). */
export const PACE_WINDOW_MS = 5 * 60_000;

/** Shortest time a pace is measured over. */
const MIN_PACE_MS = 30_000;

/**
 * The run's recent dial rate (attempts started per second) and, by Little's law, its mean line time (calls in
 * flight ÷ dial rate), from the samples of the last {@link PACE_WINDOW_MS} and the counters now. Undefined while
 * there is too little to measure (under 30 s or 10 attempts). Samples are per minute (the minute's last tick), so
 * in a run's first minute the pace is measured from the run's start.
 */
export function observedPace(input: {
  now: number;
  attemptsStarted: number;
  inFlight: number;
  samples: readonly PaceSample[];
  startedAt?: number;
}): { dialsPerSecond: number; meanLineSeconds?: number } | undefined {
  const recent = input.samples.filter((sample) => sample.at >= input.now - PACE_WINDOW_MS && sample.at < input.now);
  const fromStart =
    input.startedAt === undefined ? undefined : { at: input.startedAt, inFlight: 0, attemptsStarted: 0 };
  // A run's first minute has one sample, rewritten every tick (seconds old): measure from the run's start instead.
  const oldest = recent[0];
  const from =
    oldest !== undefined && (input.now - oldest.at >= MIN_PACE_MS || fromStart === undefined) ? oldest : fromStart;
  if (from === undefined) return undefined;
  const seconds = (input.now - from.at) / 1000;
  const attempts = input.attemptsStarted - from.attemptsStarted;
  if (seconds * 1000 < MIN_PACE_MS || attempts < 10) return undefined;
  const dialsPerSecond = attempts / seconds;
  const inFlight = [...recent.map((sample) => sample.inFlight), input.inFlight];
  const meanInFlight = inFlight.reduce((sum, value) => sum + value, 0) / inFlight.length;
  return { dialsPerSecond, ...(meanInFlight > 0 && { meanLineSeconds: meanInFlight / dialsPerSecond }) };
}

/** Fewest settled attempts a run's own line time is taken from. */
const MIN_LINE_ATTEMPTS = 10;

/**
 * The run's mean line time, measured: the seconds its settled attempts held their lines (claim to settlement, the
 * `lineSeconds` and `lineAttempts` counters) over how many there were. Undefined under 10 attempts. Preferred to
 * Little's law ({@link observedPace}), whose dial rate, measured from a young run's start, counts the seconds
 * before its first dial and so overstates the line time by as much as a tenth at half-way through a short run.
 */
export function measuredLineSeconds(counters: Readonly<Record<string, number>>): number | undefined {
  const attempts = counters.lineAttempts ?? 0;
  const seconds = counters.lineSeconds ?? 0;
  return attempts >= MIN_LINE_ATTEMPTS && seconds > 0 ? seconds / attempts : undefined;
}

/**
 * The mix a live estimate assumes: the prior's shares blended with the attempts the run has ended so far (the prior
 * counts as `priorWeight` attempts), and its line times stretched so that their mean is the one observed.
 */
export function observedMix(
  prior: OutcomeMix,
  counts: Partial<Record<AttemptOutcome, number>>,
  observedLineSeconds?: number,
  priorWeight = 50,
): OutcomeMix {
  const mix: OutcomeMix = {};
  const outcomes = new Set([...Object.keys(prior), ...Object.keys(counts)] as AttemptOutcome[]);
  const total = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
  const priorTotal = Object.values(prior).reduce((sum, entry) => sum + (entry?.share ?? 0), 0);
  for (const outcome of outcomes) {
    const priorShare = (prior[outcome]?.share ?? 0) / (priorTotal || 1);
    const share = (priorShare * priorWeight + (counts[outcome] ?? 0)) / (priorWeight + total);
    if (share <= 0) continue;
    const known = prior[outcome];
    mix[outcome] =
      known === undefined
        ? { share, lineSeconds: meanOf(prior) }
        : {
            share,
            lineSeconds: known.lineSeconds,
            ...(known.ringSeconds !== undefined && { ringSeconds: known.ringSeconds }),
          };
  }
  if (observedLineSeconds === undefined || !(observedLineSeconds > 0)) return mix;
  const factor = observedLineSeconds / meanLineSeconds(prepareMix(mix));
  for (const entry of Object.values(mix)) {
    if (entry === undefined) continue;
    entry.lineSeconds = stretch(entry.lineSeconds, factor);
    if (entry.ringSeconds !== undefined) entry.ringSeconds = stretch(entry.ringSeconds, factor);
  }
  return mix;
}

/**
 * The contacts still open and how far along they are, from the counters: waiting (`n_PENDING`) or on a call
 * (`n_DIALING`, planned as due again now: their call is counted again, which costs the estimate at most one call
 * length). The due index is read earliest first and fresh contacts fall due first, so while attempts started are
 * fewer than contacts, no contact has had a retry: the fresh ones are those never dialled. The attempts the open
 * contacts have had (`attemptsStarted` less those of finished contacts, `t_<n>`) are spread over the others (on
 * the whole numbers either side of their mean), whose retries fall due between the next due time and the policy's
 * mean delay from now.
 */
export function openContacts(input: {
  counters: Readonly<Record<string, number>>;
  now: number;
  nextDueAt?: number;
  timeZone: string;
  policy: RetryPolicy;
}): ContactGroup[] {
  const { counters, now, timeZone } = input;
  const waiting = Math.max(0, counters.n_PENDING ?? 0);
  const dialing = Math.max(0, counters.n_DIALING ?? 0);
  const open = waiting + dialing;
  if (open === 0) return [];
  const contacts = Math.max(counters.contacts ?? 0, open);
  const started = Math.max(0, counters.attemptsStarted ?? 0);
  let finishedAttempts = 0;
  let closedUntried = 0;
  for (const [name, value] of Object.entries(counters)) {
    const match = /^t_(\d+)$/.exec(name);
    if (match === null) continue;
    finishedAttempts += Number(match[1]) * value;
    if (match[1] === '0') closedUntried += value;
  }
  const fresh = Math.min(waiting, Math.max(0, contacts - closedUntried - started));
  const tried = open - fresh;
  const attemptsOfOpen = Math.max(0, started - finishedAttempts);
  const meanAttempts = tried > 0 ? Math.max(1, attemptsOfOpen / tried) : 1;
  const lastAttempt = input.policy.maxAttempts - 1;
  const groups: ContactGroup[] = [];
  if (fresh > 0) groups.push({ timeZone, count: fresh, attempts: 0, dueAt: now });
  for (const part of byAttempts(dialing, meanAttempts - 1, 0, lastAttempt)) {
    groups.push({ timeZone, count: part.count, attempts: part.attempts, dueAt: now });
  }
  const retrying = waiting - fresh;
  if (retrying > 0) {
    const first = Math.max(now, input.nextDueAt ?? now);
    const last = Math.max(first, now + meanRetryDelayMs(input.policy));
    const slices = Math.min(5, retrying);
    // Each part spread evenly over the slices (rounding once for the whole group, not once per slice).
    const share = (total: number, slice: number) =>
      Math.floor((total * (slice + 1)) / slices) - Math.floor((total * slice) / slices);
    const parts = byAttempts(retrying, meanAttempts, 1, lastAttempt);
    for (let slice = 0; slice < slices; slice++) {
      const dueAt = Math.round(first + ((last - first) * (slice + 0.5)) / slices);
      for (const part of parts) {
        const count = share(part.count, slice);
        if (count > 0) groups.push({ timeZone, count, attempts: part.attempts, dueAt });
      }
    }
  }
  return groups;
}

/**
 * `count` contacts whose attempts so far average `mean`, as two groups on the whole numbers either side of it (1.4
 * attempts: 60 % have had 1, 40 % have had 2), within [min, max]. Rounding the mean instead moves every one of them
 * a whole attempt at once: the estimate jumped by a tenth of the run when the mean crossed a half.
 */
function byAttempts(count: number, mean: number, min: number, max: number): Array<{ attempts: number; count: number }> {
  if (count <= 0) return [];
  const clamped = Math.min(max, Math.max(min, mean));
  const lower = Math.floor(clamped);
  const upper = Math.round(count * (clamped - lower));
  return [
    { attempts: lower, count: count - upper },
    { attempts: lower + 1, count: upper },
  ].filter((part) => part.count > 0);
}

/** The mean of the policy's retry delays, ms (what a retry waits on average). */
function meanRetryDelayMs(policy: RetryPolicy): number {
  const delays = Object.values(policy.retryDelays).map(isoDurationMs);
  return delays.length === 0 ? 0 : delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
}

/** Milliseconds of an ISO-8601 duration of days, hours, minutes and seconds (what retry delays use). */
function isoDurationMs(duration: string): number {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    duration,
  );
  if (match === null) return 0;
  const [, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return ((((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000;
}

function stretch(distribution: SecondsDistribution, factor: number): SecondsDistribution {
  const scaled = (value: number) => Math.min(7_200, Math.max(0, value * factor));
  if (typeof distribution === 'number') return scaled(distribution);
  if ('samples' in distribution) return { samples: distribution.samples.map(scaled) };
  return { min: scaled(distribution.min), max: scaled(distribution.max) };
}

function meanOf(mix: OutcomeMix): number {
  return meanLineSeconds(prepareMix(mix));
}
