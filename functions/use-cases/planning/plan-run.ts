/**
 * A plan for a run before it dials (`campaign plan`, `POST /campaigns/{id}/plan`): what the engine will do with
 * the day's list under the stage's caps, found by simulating the run with the engine's own code
 * (simulate-run.ts): attempts, answered calls and call-minutes, when it finishes and who still waits when the
 * calling window closes, the peak of lines, which quota paces it, and, when it misses the window, the caps that
 * would make it.
 *
 * A large list is simulated scaled down: N/s contacts on C/s lines at R/s dials per second behave, to within a
 * few per cent, like N on C at R (the same calls, retries and windows, s times fewer of them at once); counts are
 * scaled back up. The scale is in the plan, and docs/planning.md gives the error it costs.
 */
import type { Campaign } from '../../core/campaign.ts';
import {
  capsForThroughput,
  linesFlowConcurrencyServes,
  pacingResource,
  physicalBoundSeconds,
} from '../../core/planning/capacity.ts';
import { runIdealDispatcher } from '../../core/planning/ideal-dispatcher.ts';
import {
  ANSWERED_OUTCOMES,
  drawAttempt,
  meanLineSeconds,
  type OutcomeMix,
  prepareMix,
  sharesOf,
} from '../../core/planning/outcome-mix.ts';
import { nextWindowOpening, windowCloseAfter } from '../../core/policy/calling-window.ts';
import { requiredFlowConcurrency } from '../../core/policy/pacing.ts';
import { runEndsAt } from '../../core/run-clock.ts';
import type { SimulationAdapters } from './ports.ts';
import { type ContactGroup, type SimulationResult, simulatedPhone, simulateRun } from './simulate-run.ts';

/** A plan input and where it came from (shown beside it). */
export interface Sourced<T> {
  value: T;
  source: string;
}

export interface PlanCaps {
  lines: Sourced<number>;
  dialsPerSecond: Sourced<number>;
  dialBurst: Sourced<number>;
  tickSeconds: Sourced<number>;
  flowFunctionConcurrency: Sourced<number>;
}

export interface PlanRequest {
  campaign: Campaign;
  date: string;
  /** When dialing would start (moved to the window's opening when it is shut). */
  startAt: Date;
  contacts: Sourced<ContactGroup[]>;
  caps: PlanCaps;
  mix: Sourced<OutcomeMix>;
  /** Real time between two Dispatch steps (Lambda, Step Functions, the tick's reads). */
  tickGapMs: Sourced<number>;
  /** Time from a call's end to its settlement, which frees its line (the event's delivery, the call-ended function). */
  settleMs: Sourced<number>;
  seed?: number;
  /** Most contacts simulated one for one; larger lists are scaled down (default 10,000). */
  maxSimulatedContacts?: number;
}

/** What paces or stops the run: the limit a manager raises (or the window they extend). */
export type Binding = 'CONNECT_CONCURRENCY' | 'DIAL_RATE' | 'FLOW_LAMBDA_CONCURRENCY' | 'RETRY_POLICY';

export interface Prediction {
  contacts: number;
  attempts: number;
  /** Attempts someone (a person or a machine) picked up. */
  answered: number;
  /** Connected minutes (what Connect's per-minute telephony is charged on). */
  talkMinutes: number;
  /** Minutes lines were held, ringing included. */
  lineMinutes: number;
  /** When the last call ends. */
  finishAt: string;
  finishesInWindow: boolean;
  /** Contacts still open (waiting or on a call) when today's window closes. */
  waitingAtWindowClose: number;
  waitingShare: number;
  peakLines: number;
  /** Mean line time per attempt, seconds (d̄). */
  meanLineSeconds: number;
  binding: Binding;
  /** max(A·d̄/C, A/R) from the start, as a time. */
  physicalBoundAt: string;
  /** Dispatcher ticks and state machine executions the run takes (what Step Functions is charged on). */
  ticks: number;
  executions: number;
}

export interface PlanWindow {
  opensAt: string;
  closesAt: string;
  /** The campaign's zone, whose window is today's; other zones are planned with their own windows. */
  timeZone: string;
}

export interface Plan {
  campaignId: string;
  date: string;
  startAt: string;
  window: PlanWindow;
  inputs: {
    contacts: Sourced<number>;
    timeZones: number;
    caps: { [K in keyof PlanCaps]: PlanCaps[K] } & { linesFlowLambdasServe: number };
    mix: { source: string; shares: Partial<Record<string, number>>; meanLineSeconds: number };
    retryPolicy: Campaign['retryPolicy'];
    tickGapMs: Sourced<number>;
    settleMs: Sourced<number>;
  };
  prediction: Prediction;
  /** Caps that finish within the window, when these do not (checked by simulating them too). */
  needed?: { lines: number; dialsPerSecond: number; flowFunctionConcurrency: number; finishAt: string };
  /** The window cannot be met by any caps: the retry policy alone runs past it. */
  unreachable?: { policyFinishAt: string };
  warnings: string[];
  simulation: { scale: number; simulatedContacts: number; runs: number };
}

/** Margin the caps found for the window keep before its close (the plan's own error, docs/planning.md). */
const WINDOW_MARGIN = 0.95;

/**
 * Plans the run of `request`.
 * @param options.stopWhen - Asked after every simulated tick; when it says so the plan stops with
 *   SimulationStoppedError (the API's deadline: a large list at a slow rate simulates many ticks).
 */
export async function planRun(
  adapters: SimulationAdapters,
  request: PlanRequest,
  options: { stopWhen?: () => boolean } = {},
): Promise<Plan> {
  const { campaign, date } = request;
  const contacts = request.contacts.value.reduce((sum, group) => sum + group.count, 0);
  const window = dayWindow(campaign, date, request.startAt);
  const startAt = new Date(window.opensAt);
  const mix = prepareMix(request.mix.value);
  const d = meanLineSeconds(mix);
  const settleSeconds = request.settleMs.value / 1000;
  const flowLines = linesFlowConcurrencyServes(request.caps.flowFunctionConcurrency.value);
  const caps = {
    lines: Math.min(request.caps.lines.value, flowLines),
    dialsPerSecond: request.caps.dialsPerSecond.value,
    dialBurst: request.caps.dialBurst.value,
  };
  let runs = 0;
  // One scale for every simulation of the plan: the same callees, so that the runs compare.
  const scale = scaleFor(contacts, caps, request.maxSimulatedContacts ?? 10_000);
  const simulate = async (lines: number, dialsPerSecond: number, dialBurst: number) => {
    runs++;
    return scaledRun(adapters, request, startAt, { lines, dialsPerSecond, dialBurst }, scale, options.stopWhen);
  };

  const current = await simulate(caps.lines, caps.dialsPerSecond, caps.dialBurst);
  const closesAt = Date.parse(window.closesAt);
  // The retry policy's own floor: the run with lines and rate to spare.
  const floor = policyFloor(request, startAt, current.scale);
  const prediction = predictionOf(current, {
    contacts,
    closesAt,
    startAt,
    caps,
    flowLines,
    configuredLines: request.caps.lines.value,
    floor,
    settleSeconds,
  });
  const warnings: string[] = [];
  let needed: Plan['needed'];
  let unreachable: Plan['unreachable'];

  if (!prediction.finishesInWindow) {
    if (floor > closesAt) {
      unreachable = { policyFinishAt: new Date(floor).toISOString() };
      warnings.push(
        `the plan misses the window: even with unlimited lines and rate the retry policy runs until ` +
          `${unreachable.policyFinishAt}; extend the window or shorten the retry delays`,
      );
    } else {
      // A line is held for the call and until its settlement.
      needed = await capsForWindow(simulate, {
        prediction,
        startAt,
        closesAt,
        d: d + settleSeconds,
        floor,
        caps,
        contacts,
      });
      const raises = [
        needed.lines > request.caps.lines.value && `lines to ${needed.lines}`,
        needed.dialsPerSecond > caps.dialsPerSecond && `the dial rate to ${needed.dialsPerSecond}/s`,
        needed.flowFunctionConcurrency > request.caps.flowFunctionConcurrency.value &&
          `flow Lambda concurrency to ${needed.flowFunctionConcurrency}`,
      ].filter((raise): raise is string => typeof raise === 'string');
      warnings.push(
        `the plan misses the window: ${prediction.waitingAtWindowClose} contacts will still be waiting at ` +
          `${window.closesAt}; raise ${raises.join(', ') || 'nothing: start earlier'} or extend the window`,
      );
    }
  }
  if (flowLines < request.caps.lines.value) {
    warnings.push(
      `the flow Lambdas' reserved concurrency (${request.caps.flowFunctionConcurrency.value}) serves ${flowLines} ` +
        `live calls, fewer than the ${request.caps.lines.value} lines: raise it to use them`,
    );
  }
  if (current.result.refused.concurrency + current.result.refused.rate > 0) {
    warnings.push(
      `the simulated Connect refused ${current.result.refused.concurrency + current.result.refused.rate} requests`,
    );
  }
  return {
    campaignId: campaign.id,
    date,
    startAt: startAt.toISOString(),
    window,
    inputs: {
      contacts: { value: contacts, source: request.contacts.source },
      timeZones: new Set(request.contacts.value.map((group) => group.timeZone)).size,
      caps: { ...request.caps, linesFlowLambdasServe: flowLines },
      mix: { source: request.mix.source, shares: sharesOf(mix), meanLineSeconds: round(d, 1) },
      retryPolicy: campaign.retryPolicy,
      tickGapMs: request.tickGapMs,
      settleMs: request.settleMs,
    },
    prediction,
    ...(needed !== undefined && { needed }),
    ...(unreachable !== undefined && { unreachable }),
    warnings,
    simulation: { scale: round(current.scale, 3), simulatedContacts: current.result.contacts, runs },
  };
}

interface ScaledRun {
  result: SimulationResult;
  scale: number;
}

/**
 * How much a list is scaled down: to at most `limit` contacts, but never below 1 dial/s or 20 lines per simulated
 * run (ticks of a few starts pace differently).
 */
export function scaleFor(contacts: number, caps: { lines: number; dialsPerSecond: number }, limit: number): number {
  return Math.max(1, Math.min(contacts / limit, caps.dialsPerSecond, caps.lines / 20));
}

/** Simulates the request under `caps`, the list and the caps divided by `scale`. */
async function scaledRun(
  adapters: SimulationAdapters,
  request: PlanRequest,
  startAt: Date,
  caps: { lines: number; dialsPerSecond: number; dialBurst: number },
  scale: number,
  stopWhen?: () => boolean,
): Promise<ScaledRun> {
  const result = await simulateRun(adapters, {
    campaign: request.campaign,
    date: request.date,
    startAt,
    contacts: scaleGroups(request.contacts.value, scale),
    caps: {
      maxConcurrentCalls: Math.max(1, Math.round(caps.lines / scale)),
      dialsPerSecond: caps.dialsPerSecond / scale,
      dialBurst: Math.max(1, caps.dialBurst / scale),
      tickSeconds: request.caps.tickSeconds.value,
    },
    tickGapMs: request.tickGapMs.value,
    settleMs: request.settleMs.value,
    continueAsNewMs: 1_000,
    mix: prepareMix(request.mix.value),
    seed: request.seed ?? 1,
    ...(stopWhen !== undefined && { stopWhen }),
  });
  return { result, scale };
}

/** Groups with counts divided by `scale`, rounded by largest remainder so that the total stays round(N/s). */
export function scaleGroups(groups: readonly ContactGroup[], scale: number): ContactGroup[] {
  if (scale <= 1) return groups.map((group) => ({ ...group }));
  const exact = groups.map((group) => group.count / scale);
  const total = Math.round(exact.reduce((sum, value) => sum + value, 0));
  const counts = exact.map(Math.floor);
  const order = exact
    .map((value, index) => ({ index, rest: value - Math.floor(value) }))
    .sort((a, b) => b.rest - a.rest);
  for (let index = 0, left = total - counts.reduce((sum, count) => sum + count, 0); left > 0; index++, left--) {
    const entry = order[index % order.length];
    if (entry !== undefined) counts[entry.index] = (counts[entry.index] ?? 0) + 1;
  }
  return groups.map((group, index) => ({ ...group, count: counts[index] ?? 0 })).filter((group) => group.count > 0);
}

function predictionOf(
  run: ScaledRun,
  context: {
    contacts: number;
    closesAt: number;
    startAt: Date;
    caps: { lines: number; dialsPerSecond: number };
    flowLines: number;
    configuredLines: number;
    /** When the run would end with lines and rate to spare. */
    floor: number;
    /** Time a line stays held after its call, until the settlement. */
    settleSeconds: number;
  },
): Prediction {
  const { result, scale } = run;
  let answered = 0;
  let talkMs = 0;
  let lineMs = 0;
  for (const attempt of result.attempts) {
    if (ANSWERED_OUTCOMES.has(attempt.outcome)) answered++;
    talkMs += attempt.talkMs;
    lineMs += attempt.endAt - attempt.startAt;
  }
  const attempts = result.attempts.length * scale;
  const d = result.attempts.length > 0 ? lineMs / result.attempts.length / 1000 : 0;
  const openAtClose = result.progress.filter((sample) => sample.at <= context.closesAt).at(-1)?.open ?? 0;
  const waiting = Math.round(openAtClose * scale);
  const finishAt = Math.max(result.lastCallEndAt, context.startAt.getTime());
  const bound = physicalBoundSeconds({
    attempts,
    meanLineSeconds: d,
    lines: context.caps.lines,
    dialsPerSecond: context.caps.dialsPerSecond,
  });
  const resource = pacingResource({ ...context.caps, meanLineSeconds: d + context.settleSeconds });
  // A run that ends about when it would with lines and rate to spare waits for its retries, not for the caps.
  const start = context.startAt.getTime();
  const policyBound = finishAt - start <= 1.25 * (context.floor - start) + 60_000;
  const binding: Binding = policyBound
    ? 'RETRY_POLICY'
    : resource === 'rate'
      ? 'DIAL_RATE'
      : context.flowLines < context.configuredLines
        ? 'FLOW_LAMBDA_CONCURRENCY'
        : 'CONNECT_CONCURRENCY';
  return {
    contacts: context.contacts,
    attempts: Math.round(attempts),
    answered: Math.round(answered * scale),
    talkMinutes: round((talkMs * scale) / 60_000, 1),
    lineMinutes: round((lineMs * scale) / 60_000, 1),
    finishAt: new Date(finishAt).toISOString(),
    finishesInWindow: finishAt <= context.closesAt && waiting === 0,
    waitingAtWindowClose: waiting,
    waitingShare: context.contacts > 0 ? round(waiting / context.contacts, 4) : 0,
    peakLines: Math.min(context.caps.lines, Math.round(result.peakInFlight * scale)),
    meanLineSeconds: round(d, 1),
    binding,
    physicalBoundAt: new Date(context.startAt.getTime() + bound * 1000).toISOString(),
    ticks: result.ticks,
    executions: result.executions,
  };
}

/**
 * When the retry policy alone lets the run finish: the ideal dispatcher with lines and rate to spare (every call
 * starts the moment it is due), on the same draws.
 */
function policyFloor(request: PlanRequest, startAt: Date, scale: number): number {
  const mix = prepareMix(request.mix.value);
  const seed = request.seed ?? 1;
  let index = 0;
  const contacts = scaleGroups(request.contacts.value, scale).flatMap((group) =>
    Array.from({ length: group.count }, () => ({
      id: simulatedPhone(index++),
      timeZone: group.timeZone,
      dueAt: group.dueAt ?? startAt.getTime(),
    })),
  );
  const ideal = runIdealDispatcher({
    contacts,
    draw: (contact, attempt) => drawAttempt(mix, seed, contact, attempt),
    campaign: request.campaign,
    caps: { maxConcurrentCalls: contacts.length + 1, dialsPerSecond: 1e6, dialBurst: 1e6 },
    startAt: startAt.getTime(),
    endAt: runEndsAt(request.date).getTime(),
  });
  return ideal.finishAt;
}

/**
 * Lines and rate that finish before the window closes, with a margin. The first guess is the throughput that fits
 * both the attempts into the time available and the first attempts early enough for the retry policy's longest
 * chain of retries to end in time. It is simulated, doubled while the run still misses (three times at most),
 * then the gap between what misses and what fits is halved twice: at most six simulations.
 */
async function capsForWindow(
  simulate: (lines: number, dialsPerSecond: number, dialBurst: number) => Promise<ScaledRun>,
  context: {
    prediction: Prediction;
    startAt: Date;
    closesAt: number;
    d: number;
    floor: number;
    contacts: number;
    caps: { lines: number; dialsPerSecond: number; dialBurst: number };
  },
): Promise<NonNullable<Plan['needed']>> {
  const start = context.startAt.getTime();
  const available = (context.closesAt - start) * WINDOW_MARGIN;
  const chain = Math.max(0, context.floor - start);
  let throughput = Math.max(
    context.prediction.attempts / (available / 1000),
    context.contacts / (Math.max(available - chain, available * 0.1) / 1000),
  );
  const attempt = async (dials: number) => {
    const caps = capsForThroughput(Math.max(dials, 0.1), context.d);
    const lines = Math.max(caps.lines, context.caps.lines);
    const dialsPerSecond = Math.max(caps.dialsPerSecond, context.caps.dialsPerSecond);
    const run = await simulate(lines, dialsPerSecond, Math.max(context.caps.dialBurst, Math.ceil(dialsPerSecond)));
    const finishAt = run.result.lastCallEndAt;
    return {
      fits: finishAt <= start + available,
      needed: {
        lines,
        dialsPerSecond,
        flowFunctionConcurrency: requiredFlowConcurrency({ maxConcurrentCalls: lines }),
        finishAt: new Date(finishAt).toISOString(),
      },
    };
  };
  // The throughput of today's caps does not fit: it is the lower end of the search.
  let below = Math.min(context.caps.dialsPerSecond, context.caps.lines / Math.max(1, context.d));
  let found = await attempt(throughput);
  for (let round = 0; round < 3 && !found.fits; round++) {
    below = throughput;
    throughput *= 2;
    found = await attempt(throughput);
  }
  // Two halvings of the gap between what misses and what fits: the smallest caps found that fit.
  for (let round = 0; round < 2 && found.fits && throughput - below > 0.05 * throughput; round++) {
    const middle = (below + throughput) / 2;
    const tried = await attempt(middle);
    if (tried.fits) {
      throughput = middle;
      found = tried;
    } else {
      below = middle;
    }
  }
  return found.needed;
}

/** Today's calling window in the campaign's zone: from `startAt` (or its next opening) to its close. */
export function dayWindow(campaign: Campaign, date: string, startAt: Date): PlanWindow {
  const zone = campaign.timeZone;
  const end = runEndsAt(date);
  const opens = nextWindowOpening(campaign.callingWindow, zone, startAt) ?? startAt;
  const closes = windowCloseAfter(campaign.callingWindow, zone, opens);
  const closesAt = closes === undefined || closes.getTime() > end.getTime() ? end : closes;
  return { opensAt: opens.toISOString(), closesAt: closesAt.toISOString(), timeZone: zone };
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
