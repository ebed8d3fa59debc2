/**
 * The live estimate of a run's finish (the run status, `campaign status`, the dashboard, and the sweeper's early
 * alert): the rest of the run re-planned from where it stands. The open contacts and how far along they are come
 * from its counters; its outcome mix from the attempts it has ended (blended with the documented default while
 * they are few); its line time from the seconds its settled attempts held their lines, and its pace from its own
 * recent minutes. The rest is simulated with the engine's code,
 * like a plan (simulate-run.ts), scaled down to a few thousand contacts so that it answers in a fraction of a
 * second. The estimate converges as the run goes on: fewer contacts left, more attempts observed.
 */
import type { Campaign } from '../../core/campaign.ts';
import { capsForThroughput, linesFlowConcurrencyServes } from '../../core/planning/capacity.ts';
import { outcomeCounts } from '../../core/planning/history-mix.ts';
import { defaultOutcomeMix, type OutcomeMix, prepareMix } from '../../core/planning/outcome-mix.ts';
import {
  measuredLineSeconds,
  observedMix,
  observedPace,
  openContacts,
  type PaceSample,
} from '../../core/planning/progress.ts';
import { dayWindow, scaleFor, scaleGroups } from './plan-run.ts';
import type { SimulationAdapters } from './ports.ts';
import { simulateRun } from './simulate-run.ts';

export interface FinishEstimate {
  /** When the last call is expected to end. */
  finishAt: string;
  /** Contacts still open now (waiting or on a call). */
  remaining: number;
  /** The close of today's calling window (in the campaign's time zone), or the end of the run's date. */
  windowClosesAt: string;
  /** Contacts expected to be still waiting when the window closes. */
  waitingAtWindowClose: number;
  /** The run will not finish in today's window at this pace. */
  late: boolean;
  /** What the estimate saw of the run: its recent pace and how many ended attempts its mix rests on. */
  basis: { dialsPerSecond?: number; meanLineSeconds?: number; attemptsObserved: number };
  /** What to raise to finish in the window, when late (only what is above today's caps). */
  raise?: { lines?: number; dialsPerSecond?: number };
  computedAt: string;
}

export interface EstimateInput {
  campaign: Campaign;
  date: string;
  now: Date;
  counters: Readonly<Record<string, number>>;
  startedAt?: string;
  nextDueAt?: Date;
  /** The run's minute samples (oldest first). */
  samples: readonly PaceSample[];
  caps: {
    lines: number;
    dialsPerSecond: number;
    dialBurst: number;
    tickSeconds: number;
    flowFunctionConcurrency: number;
  };
  tickGapMs: number;
  /** The mix assumed before the run has shown its own (default: the documented one). */
  prior?: OutcomeMix;
  /** Most contacts simulated (default 3,000). */
  maxSimulatedContacts?: number;
}

/** Estimates when the run finishes; undefined when nothing is left open. */
export async function estimateFinish(
  adapters: SimulationAdapters,
  input: EstimateInput,
): Promise<FinishEstimate | undefined> {
  const { campaign, counters } = input;
  const now = input.now.getTime();
  const groups = openContacts({
    counters,
    now,
    ...(input.nextDueAt !== undefined && { nextDueAt: input.nextDueAt.getTime() }),
    timeZone: campaign.timeZone,
    policy: campaign.retryPolicy,
  });
  const remaining = groups.reduce((sum, group) => sum + group.count, 0);
  if (remaining === 0) return undefined;
  const counts = outcomeCounts(counters);
  const attemptsObserved = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
  const pace = observedPace({
    now,
    attemptsStarted: counters.attemptsStarted ?? 0,
    inFlight: Math.max(0, counters.inFlight ?? 0),
    samples: input.samples,
    ...(input.startedAt !== undefined && { startedAt: Date.parse(input.startedAt) }),
  });
  // The line time the run's settled attempts measured; Little's law on its pace while they are too few.
  const lineSeconds = measuredLineSeconds(counters) ?? pace?.meanLineSeconds;
  const mix = observedMix(input.prior ?? defaultOutcomeMix(campaign.run.ringTimeoutSeconds), counts, lineSeconds);
  const lines = Math.min(input.caps.lines, linesFlowConcurrencyServes(input.caps.flowFunctionConcurrency));
  const scale = scaleFor(
    remaining,
    { lines, dialsPerSecond: input.caps.dialsPerSecond },
    input.maxSimulatedContacts ?? 3_000,
  );
  const result = await simulateRun(adapters, {
    campaign,
    date: input.date,
    startAt: input.now,
    contacts: scaleGroups(groups, scale),
    caps: {
      maxConcurrentCalls: Math.max(1, Math.round(lines / scale)),
      dialsPerSecond: input.caps.dialsPerSecond / scale,
      dialBurst: Math.max(1, input.caps.dialBurst / scale),
      tickSeconds: input.caps.tickSeconds,
    },
    tickGapMs: input.tickGapMs,
    mix: prepareMix(mix),
    seed: 1,
  });
  const window = dayWindow(campaign, input.date, input.now);
  const closesAt = Date.parse(window.closesAt);
  const finishAt = Math.max(result.lastCallEndAt, now);
  const openAtClose = result.progress.filter((sample) => sample.at <= closesAt).at(-1)?.open ?? 0;
  const waitingAtWindowClose = closesAt <= now ? remaining : Math.round(openAtClose * scale);
  const late = finishAt > closesAt && waitingAtWindowClose > 0;
  const estimate: FinishEstimate = {
    finishAt: new Date(finishAt).toISOString(),
    remaining,
    windowClosesAt: window.closesAt,
    waitingAtWindowClose,
    late,
    basis: {
      ...(pace !== undefined && { dialsPerSecond: round(pace.dialsPerSecond, 2) }),
      ...(lineSeconds !== undefined && { meanLineSeconds: round(lineSeconds, 1) }),
      attemptsObserved,
    },
    computedAt: input.now.toISOString(),
  };
  if (late && closesAt > now) {
    // The throughput the attempts still to come need before the close, with a margin.
    const attemptsLeft = result.attempts.length * scale;
    const lineSeconds =
      result.attempts.length > 0
        ? result.attempts.reduce((sum, attempt) => sum + attempt.endAt - attempt.startAt, 0) /
          result.attempts.length /
          1000
        : 60;
    const needed = capsForThroughput(attemptsLeft / (((closesAt - now) / 1000) * 0.9), lineSeconds);
    estimate.raise = {
      ...(needed.lines > input.caps.lines && { lines: needed.lines }),
      ...(needed.dialsPerSecond > input.caps.dialsPerSecond && { dialsPerSecond: needed.dialsPerSecond }),
    };
  }
  return estimate;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
