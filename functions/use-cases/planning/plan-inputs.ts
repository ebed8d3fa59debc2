/**
 * The inputs of a plan, each with where it came from, in this order of precedence:
 * - what the operator asks for (the request: `--contacts`, `--list`, `--lines`, `--rate`…): "flag";
 * - the campaign's past runs (the outcome mix from their counters, call lengths from a sample of their attempt
 *   logs) and the run of the date itself (the contacts already imported);
 * - the stage's caps (its deployment parameters) and documented defaults (docs/planning.md).
 */
import { type AttemptOutcome, AttemptOutcomeSchema, type Campaign } from '../../core/campaign.ts';
import { type AttemptSample, mixFromHistory, outcomeCounts } from '../../core/planning/history-mix.ts';
import { defaultOutcomeMix, type OutcomeMix } from '../../core/planning/outcome-mix.ts';
import type { PlanRequest, Sourced } from './plan-run.ts';
import type { ContactGroup } from './simulate-run.ts';

/** A past run of a campaign, as its counters summarise it. */
export interface PastRun {
  date: string;
  status: string;
  counters: Readonly<Record<string, number>>;
}

/** What the planner reads about a campaign's runs (functions/adapters/planning-history.ts). */
export interface PlanningHistory {
  /** Runs of the campaign on the `days` dates before `date`, most recent first. */
  recentRuns(campaignId: string, date: string, days: number): Promise<PastRun[]>;
  /** The counters of the run of `date`, if it exists (its imported contacts). */
  runCounters(campaignId: string, date: string): Promise<Readonly<Record<string, number>> | undefined>;
  /** Up to `limit` ended attempts of a run, from its contacts' attempt logs. */
  attemptSample(campaignId: string, date: string, limit: number): Promise<AttemptSample[]>;
}

export interface PlanningPorts {
  campaigns: { get(campaignId: string): Promise<{ campaign: Campaign } | undefined> };
  history: PlanningHistory;
}

/** The stage's caps, as deployed. */
export interface StageCaps {
  stage: string;
  maxConcurrentCalls: number;
  dialsPerSecond: number;
  dialBurst: number;
  tickSeconds: number;
  flowFunctionConcurrency: number;
}

/** What the operator asked for; everything optional. */
export interface PlanAsk {
  contacts?: number;
  /** Contacts per IANA time zone (a list read by the CLI). */
  timeZones?: Record<string, number>;
  /** Where `timeZones` came from (e.g. the list's file name). */
  listName?: string;
  lines?: number;
  dialsPerSecond?: number;
  dialBurst?: number;
  flowFunctionConcurrency?: number;
  tickSeconds?: number;
  tickGapMs?: number;
  settleMs?: number;
  startAt?: Date;
  mix?: OutcomeMix;
  seed?: number;
}

/** Days back the planner looks for past runs, and the runs (at most) whose outcomes it learns from. */
const HISTORY_DAYS = 14;
const HISTORY_RUNS = 3;
/** Ended attempts a past run needs to count (fewer say little about the mix). */
const MIN_ATTEMPTS = 50;
/** Attempts sampled for call lengths. */
const SAMPLE_ATTEMPTS = 1_000;

/**
 * Tick-to-tick gap assumed in AWS when not asked for: a warm Lambda invocation (≈ 25 ms), three Standard state
 * transitions (Dispatch → NextStep → WaitForTick, ≈ 50 ms each), the tick's own reads before its first dial and
 * writes after its last (≈ 8 round trips of ≈ 8 ms), and the last dial's round trip (≈ 150 ms). An estimate:
 * docs/planning.md shows what it changes.
 */
export const DEFAULT_TICK_GAP_MS = 400;

/**
 * Time assumed in AWS from a call's end to its settlement, which frees its line, when not asked for: Connect's
 * DISCONNECTED event through EventBridge (best effort, no latency published) and the call-ended function's settle
 * (a warm invocation and one transaction, ≈ 100 ms). An estimate: a running run measures its own (claim to
 * settlement, docs/planning.md), and the rehearsal prints the local stack's.
 */
export const DEFAULT_SETTLE_MS = 1_000;

export class PlanInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'PlanInputError';
    this.field = field;
  }
}

/** Gathers a plan's inputs for the run of `campaignId` on `date`; undefined when the campaign does not exist. */
export async function gatherPlanInputs(
  ports: PlanningPorts,
  input: { campaignId: string; date: string; now: Date; ask: PlanAsk; stage: StageCaps },
): Promise<PlanRequest | undefined> {
  const stored = await ports.campaigns.get(input.campaignId);
  if (stored === undefined) return undefined;
  const { campaign } = stored;
  const { ask, stage } = input;
  const [contacts, mix] = await Promise.all([
    contactsOf(ports.history, campaign, input.date, ask),
    mixOf(ports.history, campaign, input.date, ask),
  ]);
  const fromStage = (value: number | undefined, deployed: number, parameter: string): Sourced<number> =>
    value !== undefined
      ? { value, source: 'flag' }
      : { value: deployed, source: `stage ${stage.stage} (parameter ${parameter})` };
  return {
    campaign,
    date: input.date,
    startAt: ask.startAt ?? input.now,
    contacts,
    caps: {
      lines: fromStage(ask.lines, stage.maxConcurrentCalls, 'maxConcurrentCalls'),
      dialsPerSecond: fromStage(ask.dialsPerSecond, stage.dialsPerSecond, 'dialsPerSecond'),
      dialBurst: fromStage(ask.dialBurst ?? scaledBurst(ask, stage), stage.dialBurst, 'dialBurst'),
      tickSeconds: fromStage(ask.tickSeconds, stage.tickSeconds, 'tickSeconds'),
      flowFunctionConcurrency: fromStage(
        ask.flowFunctionConcurrency,
        stage.flowFunctionConcurrency,
        'flowFunctionConcurrency',
      ),
    },
    mix,
    tickGapMs:
      ask.tickGapMs !== undefined
        ? { value: ask.tickGapMs, source: 'flag' }
        : { value: DEFAULT_TICK_GAP_MS, source: 'default: estimated gap between ticks in AWS (docs/planning.md)' },
    settleMs:
      ask.settleMs !== undefined
        ? { value: ask.settleMs, source: 'flag' }
        : {
            value: DEFAULT_SETTLE_MS,
            source: "default: estimated time from a call's end to its settlement in AWS (docs/planning.md)",
          },
    ...(ask.seed !== undefined && { seed: ask.seed }),
  };
}

/** A what-if rate above the stage's burst brings a burst to match (Connect raises both together). */
function scaledBurst(ask: PlanAsk, stage: StageCaps): number | undefined {
  if (ask.dialsPerSecond === undefined || ask.dialsPerSecond <= stage.dialBurst) return undefined;
  return Math.ceil(ask.dialsPerSecond);
}

async function contactsOf(
  history: PlanningHistory,
  campaign: Campaign,
  date: string,
  ask: PlanAsk,
): Promise<Sourced<ContactGroup[]>> {
  if (ask.timeZones !== undefined) {
    const groups = Object.entries(ask.timeZones)
      .filter(([, count]) => count > 0)
      .map(([timeZone, count]) => ({ timeZone, count }));
    return { value: groups, source: ask.listName === undefined ? 'flag' : `list ${ask.listName}` };
  }
  if (ask.contacts !== undefined) {
    return { value: [{ timeZone: campaign.timeZone, count: ask.contacts }], source: 'flag' };
  }
  const counters = await history.runCounters(campaign.id, date);
  const waiting = counters?.n_PENDING ?? 0;
  if (waiting > 0) {
    return {
      value: [{ timeZone: campaign.timeZone, count: waiting }],
      source: `the run of ${date}: contacts imported and waiting (in the campaign's time zone ${campaign.timeZone})`,
    };
  }
  throw new PlanInputError(
    'contacts',
    `no contacts to plan: the run of ${date} has none waiting; say how many (contacts) or give a list`,
  );
}

async function mixOf(
  history: PlanningHistory,
  campaign: Campaign,
  date: string,
  ask: PlanAsk,
): Promise<Sourced<OutcomeMix>> {
  const fallback = defaultOutcomeMix(campaign.run.ringTimeoutSeconds);
  if (ask.mix !== undefined) return { value: ask.mix, source: 'flag' };
  const runs = (await history.recentRuns(campaign.id, date, HISTORY_DAYS))
    .filter((run) => (run.counters.attemptsEnded ?? 0) >= MIN_ATTEMPTS)
    .slice(0, HISTORY_RUNS);
  if (runs.length > 0) {
    const counts: Partial<Record<AttemptOutcome, number>> = {};
    for (const run of runs) {
      const ofRun = outcomeCounts(run.counters);
      for (const outcome of AttemptOutcomeSchema.options) {
        counts[outcome] = (counts[outcome] ?? 0) + (ofRun[outcome] ?? 0);
      }
    }
    const latest = runs[0];
    const samples = latest === undefined ? [] : await history.attemptSample(campaign.id, latest.date, SAMPLE_ATTEMPTS);
    const mix = mixFromHistory({ counts, samples, fallback });
    if (mix !== undefined) {
      const attempts = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
      return {
        value: mix,
        source:
          `past runs ${runs.map((run) => run.date).join(', ')} (${attempts} attempts; call lengths from ` +
          `${samples.length} attempts of ${latest?.date})`,
      };
    }
  }
  return {
    value: fallback,
    source: 'default: 50 % answered 60–180 s, 35 % no answer (ring timeout), 10 % busy 5 s, 5 % voicemail 20–40 s',
  };
}
