/**
 * One pacing tick of a run (the dialer's "hopper"): starts calls for the run's due contacts, spread evenly over
 * the tick, never over any of the three limits:
 * - the engine's lines (Connect's concurrent-call quota), taken per line shard;
 * - the shared dial-rate bucket (Connect's StartOutboundVoiceContact rate), whose tokens the campaigns running
 *   at the same time share by weight (functions/core/policy/pacing.ts, `planTick`);
 * - the callee's calling window and their country's legal hours (functions/core/policy/legal-hours.ts), checked
 *   again at the moment of the call;
 * - the stage's contact policy: frequency caps per person and the tiers of the caller-ID pool's numbers
 *   (start-call.ts); when every number of the pool is full, the tick paces down until one has room.
 * Then it says what the run does next (functions/core/run-clock.ts).
 *
 * It is safe to run twice: a repeated tick takes no tokens twice, counts nothing twice, and every claim is a
 * conditional write. A tick of an execution that a newer generation has replaced does nothing.
 */
import type { CallingWindow, Campaign } from '../../core/campaign.ts';
import { type ContactPolicy, poolOf, rulesCounting, rulesHolding } from '../../core/policy/contact-policy.ts';
import { callableWindows, countryOfNumber, isCallableAt, nextCallableAt } from '../../core/policy/legal-hours.ts';
import { pickLineShard } from '../../core/policy/line-shards.ts';
import { planTick } from '../../core/policy/pacing.ts';
import { nextAction, runEndsAt, type TickAction } from '../../core/run-clock.ts';
import { logger } from '../../lib/logger.ts';
import { TransientError } from '../../lib/transient-error.ts';
import { CallerPoolView } from './caller-pool.ts';
import {
  adaptRate,
  affordableStarts,
  type RateSettings,
  reserveTickTokens,
  returnUnusedTokens,
  unusedTokenCredit,
} from './dial-tokens.ts';
import type { ActiveRun, CallerUsages, DialRateBucket, DueContact, LineShard, RunState, Runs } from './ports.ts';
import {
  type CapSettings,
  type DialSettings,
  type StartCallOutcome,
  type StartCallPorts,
  type StartCallSettings,
  startCall,
  usedDialToken,
} from './start-call.ts';

export interface TickPorts extends StartCallPorts {
  runs: Runs;
  dialRate: DialRateBucket;
  /** Caller numbers' use: needed when the campaign dials from a caller-ID pool. */
  callerUsages?: CallerUsages;
  contacts: StartCallPorts['contacts'] & {
    due(campaignId: string, date: string, now: Date, limit: number): Promise<DueContact[]>;
    nextDue(campaignId: string, date: string): Promise<Date | undefined>;
    reschedule(campaignId: string, date: string, phone: string, at: Date): Promise<void>;
  };
}

export interface TickSettings extends RateSettings, StartCallSettings {
  maxConcurrentCalls: number;
  /** Dispatcher errors in a row (ticks) that fail the run, which raises the run-failed alert. */
  maxConsecutiveErrorTicks?: number;
  /** How often a tick whose lines are all busy looks again for free ones. */
  linePollMs?: number;
  /** How often a tick that ran out of due contacts looks for contacts that fell due since. */
  duePollMs?: number;
  /** The stage's contact policy (frequency caps, caller-ID pools); none: no caps, every call from `callerId`. */
  contactPolicy?: ContactPolicy;
  /** Longest a run sleeps before it looks at its status again (default MAX_SLEEP_SECONDS, core/run-clock.ts). */
  maxSleepSeconds?: number;
  random?: () => number;
}

/** What a tick needs of its campaign's definition. */
export type TickCampaign = Pick<Campaign, 'id' | 'callerId' | 'callingWindow' | 'run' | 'policy'>;

export interface TickInput {
  campaignId: string;
  date: string;
  tick: number;
  generation: number;
}

/** What a tick did, for the handler's metrics, history and alerts. */
export interface TickReport {
  started: number;
  throttles: number;
  errors: number;
  /** Claims given up after DynamoDB stayed busy for every retry (contention, not dial errors). */
  busy: number;
  /** Contacts a frequency cap held back (to a later time, or CAPPED for good). */
  capHolds: number;
  /** Slots left unused because no number of the caller-ID pool had room. */
  poolWaits: number;
  lastError?: string;
  /** Tokens taken and given back unused. */
  unusedTokens: number;
  dialRate: number;
  /** The run after the tick (undefined for a superseded execution). */
  after?: RunState;
  waiting: number;
  next: TickAction | { action: 'SUPERSEDED' };
  /** The tick ran before (a retry): its tokens were not taken again. */
  repeated: boolean;
}

/** The run or its campaign is gone: nothing a retry can fix. */
export class DispatcherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DispatcherError';
  }
}

interface Tally {
  started: number;
  throttles: number;
  errors: number;
  busy: number;
  capHolds: number;
  poolWaits: number;
  refunds: number;
  lastError?: string;
}

const tickKey = (input: TickInput): string => `${input.generation}#${input.tick}`;

/** Runs one tick of `input`'s run with its campaign's definition. */
export async function dispatchTick(
  ports: TickPorts,
  settings: TickSettings,
  campaign: TickCampaign,
  input: TickInput,
): Promise<TickReport> {
  const { campaignId, date } = input;
  const { clock } = ports;
  const run = await ports.runs.getRun(campaignId, date);
  if (run === undefined) throw new DispatcherError(`run ${campaignId}/${date} does not exist`);
  const tally: Tally = { started: 0, throttles: 0, errors: 0, busy: 0, capHolds: 0, poolWaits: 0, refunds: 0 };
  if (run.generation > input.generation) {
    // A newer execution drives this run (a restart): this one stops without touching anything.
    logger.warn('tick of a superseded execution', { campaignId, date, generation: input.generation });
    return {
      ...tally,
      unusedTokens: 0,
      dialRate: 0,
      waiting: 0,
      next: { action: 'SUPERSEDED' },
      repeated: false,
    };
  }
  let repeated = false;
  if (run.status === 'RUNNING') {
    repeated = await dialDue(ports, settings, campaign, input, run, tally);
  }
  const dialRate = await adaptRate(ports.dialRate, settings, tally.throttles > 0 ? 'throttled' : 'ok');
  const after = await ports.runs.getRun(campaignId, date);
  if (after === undefined) throw new DispatcherError(`run ${campaignId}/${date} disappeared`);
  const waiting = after.counters.n_PENDING ?? 0;
  const now = clock.now();
  await ports.runs.recordTick(campaignId, date, {
    key: tickKey(input),
    at: now,
    dialRate,
    throttles: tally.throttles,
    dialErrors: tally.errors,
    due: waiting,
    inFlight: after.inFlight,
  });
  const maxErrorTicks = settings.maxConsecutiveErrorTicks ?? 5;
  if (tally.errors > 0 && after.consecutiveDialErrors + 1 >= maxErrorTicks) {
    throw new DispatcherError(`${maxErrorTicks} ticks in a row failed to start calls; last error: ${tally.lastError}`);
  }
  const next = nextAction({
    campaignId,
    date,
    generation: input.generation,
    tick: input.tick,
    now,
    tickSeconds: settings.tickSeconds,
    status: after.status,
    inFlight: after.inFlight,
    waiting,
    nextDue: waiting > 0 ? await ports.contacts.nextDue(campaignId, date) : undefined,
    dialedThisTick: tally.started > 0,
    ...(settings.maxSleepSeconds !== undefined && { maxSleepSeconds: settings.maxSleepSeconds }),
  });
  return {
    started: tally.started,
    throttles: tally.throttles,
    errors: tally.errors,
    busy: tally.busy,
    capHolds: tally.capHolds,
    poolWaits: tally.poolWaits,
    ...(tally.lastError !== undefined && { lastError: tally.lastError }),
    unusedTokens: tally.refunds,
    dialRate,
    after,
    waiting,
    next,
    repeated,
  };
}

/** The tick's dialing: reads what is due, takes its tokens, and starts calls at the planned offsets. */
async function dialDue(
  ports: TickPorts,
  settings: TickSettings,
  campaign: TickCampaign,
  input: TickInput,
  run: RunState,
  tally: Tally,
): Promise<boolean> {
  const { campaignId, date } = input;
  const { clock } = ports;
  const random = settings.random ?? Math.random;
  const tickStart = clock.now();
  const repeated = run.tickReservation?.tick === tickKey(input) || run.lastTick === tickKey(input);
  // The tick ran to its end before (its retry after a later step failed): it has nothing left to dial.
  if (run.lastTick === tickKey(input)) return true;
  // Read no more contacts than the bucket could possibly afford this tick.
  const affordable = repeated
    ? (run.tickReservation?.tokens ?? 0)
    : await affordableStarts(ports.dialRate, settings, tickStart);
  const [due, shards, active] = await Promise.all([
    ports.contacts.due(campaignId, date, tickStart, Math.max(1, affordable)),
    ports.leases.shards(),
    ports.runs.activeRuns(),
  ]);
  const queue = due.filter((contact) => contact.status === 'PENDING');
  if (queue.length === 0) return repeated;

  const self = { id: `${campaignId}#${date}`, weight: campaign.run.weight, inFlight: run.inFlight, due: queue.length };
  const demands = sharesOf(active, self, campaignId, date);
  const { offsets, start: bucketAtStart } = await reserveTickTokens(
    ports.dialRate,
    settings,
    tickStart,
    {
      campaignId,
      date,
      tick: tickKey(input),
      attemptsStarted: run.counters.attemptsStarted ?? 0,
      ...(run.tickReservation !== undefined && { previous: run.tickReservation }),
    },
    (allowance) =>
      planTick({
        capacity: settings.maxConcurrentCalls,
        inFlight: 0,
        campaigns: demands,
        tokensAvailable: allowance,
        tickSeconds: settings.tickSeconds,
      }).campaigns.find((entry) => entry.id === self.id)?.startOffsetsMs ?? [],
  );

  const lines = new LineView(shards, ports, settings.linePollMs ?? 250, random);
  const windows = new CallableWindows(campaign, tickStart);
  const dial = await dialSettings(ports, settings, campaign, input, windows, random);
  const seen = new Set(queue.map((contact) => contact.phone));
  let lastDueRead = tickStart.getTime();
  let stop = false;
  /** Every number of the pool was full: slots before this time pass (the run paces down to the pool). */
  let poolRoomAt = 0;
  const dials: Array<Promise<void>> = [];
  /** Offsets of the slots that sent Connect a request (and so used their token). */
  const used: number[] = [];
  for (const offset of offsets) {
    if (!stop) await clock.sleep(tickStart.getTime() + offset - clock.now().getTime());
    // Throttled (by a dial that ended while this slot waited): the tick's other tokens go back unused.
    if (stop) {
      tally.refunds++;
      continue;
    }
    if (clock.now().getTime() < poolRoomAt) {
      tally.refunds++;
      tally.poolWaits++;
      continue;
    }
    const contact = await nextContact();
    if (contact === undefined) {
      tally.refunds++;
      continue;
    }
    const line = await lines.take();
    if (line === undefined) {
      queue.unshift(contact);
      tally.refunds++;
      continue;
    }
    dials.push(
      startCall(ports, settings, dial, contact, line).then(
        (outcome) => {
          if (usedDialToken(outcome)) used.push(offset);
          account(outcome, contact, line);
        },
        (error: unknown) => {
          lines.giveBack(line);
          tally.refunds++;
          if (error instanceof TransientError) {
            tally.busy++;
            logger.warn('claim given up: DynamoDB stayed busy', { campaignId, error: error.message });
            return;
          }
          tally.errors++;
          tally.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          logger.error('dial failed', { campaignId, error });
        },
      ),
    );
  }
  await Promise.all(dials);
  const now = clock.now();
  // Give back what Connect's bucket kept of the unused slots' tokens (a repeated tick knows only their count).
  const credit =
    bucketAtStart === undefined ? tally.refunds : unusedTokenCredit(bucketAtStart, tickStart, offsets, used, now);
  await returnUnusedTokens(ports.dialRate, settings, credit, now, { campaignId, date, tick: tickKey(input) });
  return repeated;

  function account(outcome: StartCallOutcome, contact: DueContact, line: LineShard): void {
    if (!usedDialToken(outcome)) tally.refunds++;
    switch (outcome.kind) {
      case 'STARTED':
        tally.started++;
        return;
      case 'SHARD_FULL':
        lines.markFull(line);
        queue.unshift(contact);
        return;
      case 'THROTTLED':
        tally.throttles++;
        stop = true;
        lines.giveBack(line);
        return;
      case 'ERROR':
        tally.errors++;
        tally.lastError = outcome.error;
        lines.giveBack(line);
        return;
      case 'TAKEN':
      case 'SUPPRESSED':
        lines.giveBack(line);
        return;
      case 'CAPPED':
        tally.capHolds++;
        lines.giveBack(line);
        return;
      case 'POOL_EXHAUSTED':
        tally.poolWaits++;
        poolRoomAt = Math.max(poolRoomAt, outcome.roomAt.getTime());
        lines.giveBack(line);
        queue.unshift(contact);
        return;
      case 'INVALID_NUMBER':
        lines.giveBack(line);
        return;
    }
  }

  /** The next contact to dial now: due, waiting, inside its calling window (others are moved into it). */
  async function nextContact(): Promise<DueContact | undefined> {
    for (;;) {
      let contact = queue.shift();
      if (contact === undefined) {
        const now = clock.now();
        // Contacts that fell due during the tick (a retry, a window opening) are dialled in it, not the next.
        if (now.getTime() - lastDueRead < (settings.duePollMs ?? 1_000)) return undefined;
        lastDueRead = now.getTime();
        const fresh = await ports.contacts.due(campaignId, date, now, 50);
        for (const candidate of fresh) {
          if (candidate.status === 'PENDING' && !seen.has(candidate.phone)) {
            seen.add(candidate.phone);
            queue.push(candidate);
          }
        }
        contact = queue.shift();
        if (contact === undefined) return undefined;
      }
      const now = clock.now();
      const callable = windows.of(contact.phone);
      if (isCallableAt(callable, contact.timeZone, now)) return contact;
      // Outside the campaign's window or the callee country's legal hours: wait for both.
      const opens = nextCallableAt(callable, contact.timeZone, now);
      if (opens === undefined) {
        // No calling hours within a year for this callee (holidays every working day): nothing to wait for.
        await ports.contacts.closeWaiting(campaignId, date, contact.phone, 'EXPIRED', contact.attempts);
        continue;
      }
      await ports.contacts.reschedule(campaignId, date, contact.phone, opens);
    }
  }
}

/** The tick's dial settings: the caller ID or pool, and the frequency caps the campaign falls under. */
async function dialSettings(
  ports: TickPorts,
  settings: TickSettings,
  campaign: TickCampaign,
  input: TickInput,
  windows: CallableWindows,
  random: () => number,
): Promise<DialSettings> {
  const policy = settings.contactPolicy;
  const dial: DialSettings = { callerId: campaign.callerId, ringTimeoutSeconds: campaign.run.ringTimeoutSeconds };
  if (policy === undefined) return dial;
  const pool = poolOf(policy, campaign);
  if (pool !== undefined && ports.callerUsages !== undefined) {
    dial.pool = await new CallerPoolView(pool, ports.callerUsages, random).load();
  }
  if (rulesCounting(policy, campaign.policy).length > 0) {
    const caps: CapSettings = {
      rules: policy.rules,
      holding: rulesHolding(policy, campaign.policy),
      scope: {
        purpose: campaign.policy.purpose,
        ...(campaign.policy.category !== undefined && { category: campaign.policy.category }),
      },
      nextCallable: (contact, from) => nextCallableAt(windows.of(contact.phone), contact.timeZone, from),
      runEndsAt: runEndsAt(input.date),
    };
    dial.caps = caps;
  }
  return dial;
}

/** The windows a callee may be called in, by their number's country (computed once per country per tick). */
class CallableWindows {
  private readonly byCountry = new Map<string, CallingWindow[]>();
  private readonly campaign: TickCampaign;
  private readonly now: Date;

  constructor(campaign: TickCampaign, now: Date) {
    this.campaign = campaign;
    this.now = now;
  }

  of(phone: string): CallingWindow[] {
    const country = countryOfNumber(phone);
    const key = country ?? '';
    let windows = this.byCountry.get(key);
    if (windows === undefined) {
      windows = callableWindows(this.campaign, country, this.now);
      this.byCountry.set(key, windows);
    }
    return windows;
  }
}

/** This run's and the other active runs' demands, for the weighted share of the tick's tokens. */
function sharesOf(
  active: readonly ActiveRun[],
  self: { id: string; weight: number; inFlight: number; due: number },
  campaignId: string,
  date: string,
) {
  const demands = active.map((other) =>
    other.campaignId === campaignId && other.date === date
      ? self
      : { id: `${other.campaignId}#${other.date}`, weight: other.weight, inFlight: other.inFlight, due: other.due },
  );
  if (!demands.some((demand) => demand.id === self.id)) demands.push(self);
  return demands;
}

/**
 * The tick's view of the engine's lines: free lines per shard as last read, taken locally as calls start. When
 * none is free it reads the shards again (calls end all the time), at most every `pollMs`, until the tick ends.
 */
class LineView {
  private free: number[];
  private readonly byShard: Map<number, LineShard>;
  private lastRead: number;
  private readonly ports: Pick<TickPorts, 'leases' | 'clock'>;
  private readonly pollMs: number;
  private readonly random: () => number;

  constructor(
    shards: readonly LineShard[],
    ports: Pick<TickPorts, 'leases' | 'clock'>,
    pollMs: number,
    random: () => number,
  ) {
    this.ports = ports;
    this.pollMs = pollMs;
    this.random = random;
    this.byShard = new Map(shards.map((shard) => [shard.shard, shard]));
    this.free = shards.map((shard) => shard.cap - shard.inFlight);
    this.lastRead = ports.clock.now().getTime();
  }

  /**
   * A shard with a free line, taken from the local view. When the view has none, the shards are read again,
   * unless they were read less than `pollMs` ago: then this slot passes, and a later one looks again.
   */
  async take(): Promise<LineShard | undefined> {
    let shard = pickLineShard(this.free, this.random);
    if (shard === undefined) {
      const now = this.ports.clock.now().getTime();
      if (now - this.lastRead < this.pollMs) return undefined;
      this.lastRead = now;
      const shards = await this.ports.leases.shards();
      for (const current of shards) this.byShard.set(current.shard, current);
      this.free = shards.map((current) => current.cap - current.inFlight);
      shard = pickLineShard(this.free, this.random);
      if (shard === undefined) return undefined;
    }
    this.free[shard] = (this.free[shard] ?? 0) - 1;
    return this.byShard.get(shard);
  }

  /** The claim found the shard full after all: nothing free there until the next read. */
  markFull(line: LineShard): void {
    this.free[line.shard] = 0;
  }

  /** The line was not used after all (the claim did not happen, or the dial was refused and undone). */
  giveBack(line: LineShard): void {
    this.free[line.shard] = (this.free[line.shard] ?? 0) + 1;
  }
}
