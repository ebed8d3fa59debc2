/**
 * Pacing: how many calls the dispatcher may start per tick, and for which campaign.
 *
 * Three limits apply at once and none may be exceeded: free Connect concurrency, the
 * StartOutboundVoiceContact rate (a token bucket mirroring Connect's own), and each campaign's
 * weighted share. Everything here is plain data in, plain data out, so the dispatcher can persist
 * the bucket and the adaptive rate between ticks and tests can replay any sequence.
 */

/** Tolerance for float drift in persisted token counts (2.9999999999 tokens is 3 tokens). */
const TOKEN_EPSILON = 1e-9;

/**
 * Dial-rate token bucket. Immutable and JSON-friendly so it can live in one DynamoDB item;
 * `updatedAtMs` is epoch milliseconds of the last refill.
 */
export interface TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly tokens: number;
  readonly updatedAtMs: number;
}

/**
 * A full bucket, as Connect's own quota starts. Without `now` the bucket is dated at the epoch,
 * which the first refill tops up to `burst` anyway.
 * @throws RangeError when the rate is not positive or the burst is below one token.
 */
export function createTokenBucket(config: { ratePerSecond: number; burst: number }, now?: Date): TokenBucket {
  const { ratePerSecond, burst } = config;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  if (!(Number.isFinite(burst) && burst >= 1)) {
    throw new RangeError(`burst must be at least 1, got ${burst}`);
  }
  return { ratePerSecond, burst, tokens: burst, updatedAtMs: now?.getTime() ?? 0 };
}

/**
 * The bucket as of `now`. A clock that went backwards (two dispatchers, skew) adds nothing and
 * keeps the later timestamp, so tokens can never be minted by time travel.
 */
export function refill(state: TokenBucket, now: Date): TokenBucket {
  const at = now.getTime();
  if (!(at > state.updatedAtMs)) {
    return state;
  }
  const tokens = Math.min(state.burst, state.tokens + ((at - state.updatedAtMs) * state.ratePerSecond) / 1000);
  return { ...state, tokens, updatedAtMs: at };
}

/**
 * Takes up to `n` whole tokens at `now`. Grants what is there rather than all-or-nothing, because
 * the dispatcher wants "as many as allowed", and reports how many it got.
 */
export function take(state: TokenBucket, n: number, now: Date): { state: TokenBucket; taken: number } {
  const current = refill(state, now);
  const wanted = Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
  const taken = Math.min(wanted, wholeTokens(current.tokens));
  return { state: { ...current, tokens: Math.max(0, current.tokens - taken) }, taken };
}

/**
 * Switches the refill rate (e.g. to the AIMD rate) at `now`. Tokens earned so far are settled at
 * the old rate first, so a rate change never re-prices the past.
 */
export function withRate(state: TokenBucket, ratePerSecond: number, now: Date): TokenBucket {
  assertPositive('ratePerSecond', ratePerSecond);
  return { ...refill(state, now), ratePerSecond };
}

/** Whole tokens available at `now`. */
export function availableTokens(state: TokenBucket, now: Date): number {
  return wholeTokens(refill(state, now).tokens);
}

/**
 * Offset of slot `slot` (0-based) when a tick of `tickSeconds` is divided into `slots` equal
 * slots: `ceil((slot + 1) · tick / slots)` ms. Slots end at the tick's end rather than start at
 * its beginning, so a tick that opens with an empty bucket still gets its share of the refill;
 * rounding up means no start happens before the token it relies on has arrived.
 */
export function slotOffsetMs(slot: number, slots: number, tickSeconds: number): number {
  return Math.ceil(((slot + 1) * tickSeconds * 1000) / slots);
}

/**
 * How many starts fit into the tick `(now, now + tickSeconds]` when spread over `N` equal slots
 * ({@link slotOffsetMs}) without the bucket ever running dry; pass it to {@link planTick} as
 * `tokensAvailable`.
 *
 * Counting only the tokens present at tick start would cap every tick at `burst`, and so the
 * dial rate at `burst / tickSeconds` (0.5/s for Connect's default 2/s, burst 5, with a 10 s tick);
 * counting the tokens that arrive during the tick keeps the configured rate with any tick length.
 * The answer is found by replaying the slots against the bucket (cap and millisecond rounding
 * included), starting from the upper bound `tokens + rate · tick`. {@link planTick} only ever uses
 * a subset of these slots, and a subset of an affordable schedule is affordable (taking fewer
 * tokens never leaves fewer in the bucket).
 */
export function tickAllowance(state: TokenBucket, now: Date, tickSeconds: number): number {
  assertPositive('tickSeconds', tickSeconds);
  const start = refill(state, now);
  let allowance = Math.floor(start.tokens + start.ratePerSecond * tickSeconds + TOKEN_EPSILON);
  while (allowance > 0) {
    const offsets = Array.from({ length: allowance }, (_, slot) => slotOffsetMs(slot, allowance, tickSeconds));
    if (takeScheduled(start, now, offsets).taken === allowance) {
      return allowance;
    }
    allowance -= 1;
  }
  return 0;
}

/**
 * Takes one token per scheduled start at `start + offset`, in time order, and returns the bucket
 * after the last one: the state the dispatcher persists once it has planned a tick.
 */
export function takeScheduled(
  state: TokenBucket,
  start: Date,
  offsetsMs: readonly number[],
): { state: TokenBucket; taken: number } {
  let current = state;
  let taken = 0;
  for (const offset of [...offsetsMs].sort((a, b) => a - b)) {
    const result = take(current, 1, new Date(start.getTime() + offset));
    current = result.state;
    taken += result.taken;
  }
  return { state: current, taken };
}

function wholeTokens(tokens: number): number {
  return Math.max(0, Math.floor(tokens + TOKEN_EPSILON));
}

/** Adaptive dial rate between a floor and a ceiling (the configured quota). */
export interface AdaptiveRate {
  readonly current: number;
  readonly floor: number;
  readonly ceiling: number;
}

export interface AimdOptions {
  /** Share of the ceiling added after a clean tick. */
  increaseFraction?: number;
  /** Factor applied after a throttled tick. */
  decreaseFactor?: number;
}

/**
 * AIMD, as TCP does it: back off hard on a 429 (×0.5) so a shared account quota recovers quickly,
 * creep back up slowly (+5% of the ceiling per clean tick) so the engine settles just below the
 * point where Connect pushes back. The result always lies in [floor, ceiling].
 */
export function adjustRate(rate: AdaptiveRate, signal: 'ok' | 'throttled', options: AimdOptions = {}): AdaptiveRate {
  const { increaseFraction = 0.05, decreaseFactor = 0.5 } = options;
  const { floor, ceiling } = rate;
  if (!(Number.isFinite(floor) && Number.isFinite(ceiling) && floor >= 0 && floor <= ceiling)) {
    throw new RangeError(`expected 0 <= floor <= ceiling, got floor ${floor}, ceiling ${ceiling}`);
  }
  const current = clamp(Number.isFinite(rate.current) ? rate.current : floor, floor, ceiling);
  const next = signal === 'ok' ? current + ceiling * increaseFraction : current * decreaseFactor;
  return { current: clamp(next, floor, ceiling), floor, ceiling };
}

export interface CampaignDemand {
  id: string;
  /** `run.weight`: the campaign's share of concurrency relative to the others. */
  weight: number;
  /** The campaign's live calls (leases). */
  inFlight: number;
  /** Contacts due now (possibly capped by the query that counted them). */
  due: number;
}

export interface TickInput {
  /** maxConcurrentCalls: the engine's concurrency cap. */
  capacity: number;
  /** Every live lease, across all campaigns (and any not listed below). */
  inFlight: number;
  campaigns: readonly CampaignDemand[];
  /**
   * Starts the dial rate allows this tick; pass {@link tickAllowance}. It also fixes the slot grid
   * the starts are placed on, which is what keeps a partial plan affordable.
   */
  tokensAvailable: number;
  tickSeconds: number;
}

export interface CampaignTickPlan {
  id: string;
  callsToStart: number;
  /** Average gap between this campaign's starts: `tick / callsToStart` (0 when none). */
  spacingMs: number;
  /**
   * Exact start offsets from the tick's beginning. All campaigns share one grid of evenly spread
   * slots, so several small campaigns never fire together and burst past Connect's quota.
   */
  startOffsetsMs: number[];
}

export interface TickPlan {
  /** min(free concurrency, tokens): the most this tick may start. */
  budget: number;
  /** Starts planned in total: min(budget, total due). */
  total: number;
  /** One entry per input campaign, in input order. */
  campaigns: CampaignTickPlan[];
}

/**
 * Decides how many calls each campaign starts this tick.
 *
 * - **Never over a limit**: the total is at most min(capacity − inFlight, tokensAvailable).
 * - **Weighted fair share of concurrency** (max-min fairness, "water filling"): the budget goes to
 *   the campaigns whose `(inFlight + starts) / weight` is lowest, so a campaign already holding
 *   more than its share of live calls waits while the others catch up. With nothing in flight this
 *   is simply budget × weight / Σweight.
 * - **Work-conserving**: a campaign with fewer due contacts than its share takes what it can and
 *   the rest flows to the others; the plan uses the whole budget whenever enough is due.
 * - **Deterministic rounding**: the fractional shares are rounded by largest remainder (ties:
 *   larger weight, then input order), so the same input always gives the same plan.
 *
 * Campaigns with non-positive weight or nothing due get no calls.
 */
export function planTick(input: TickInput): TickPlan {
  assertPositive('tickSeconds', input.tickSeconds);
  const tickMs = input.tickSeconds * 1000;
  const free = wholeCount(input.capacity) - wholeCount(input.inFlight);
  const budget = Math.max(0, Math.min(free, wholeCount(input.tokensAvailable)));

  const demands = input.campaigns.map((campaign, index) => ({
    index,
    weight: Number.isFinite(campaign.weight) && campaign.weight > 0 ? campaign.weight : 0,
    inFlight: wholeCount(campaign.inFlight),
    due: wholeCount(campaign.due),
  }));
  const eligible = demands.filter((demand) => demand.weight > 0 && demand.due > 0);
  const totalDue = eligible.reduce((sum, demand) => sum + demand.due, 0);
  const total = Math.min(budget, totalDue);

  const starts = new Array<number>(demands.length).fill(0);
  if (total === totalDue) {
    for (const demand of eligible) {
      starts[demand.index] = demand.due;
    }
  } else {
    const shares = waterFill(eligible, total);
    roundByLargestRemainder(eligible, shares, total, starts);
  }

  const offsets = interleave(starts, total, wholeCount(input.tokensAvailable), input.tickSeconds);
  return {
    budget,
    total,
    campaigns: input.campaigns.map((campaign, index) => {
      const callsToStart = starts[index] ?? 0;
      return {
        id: campaign.id,
        callsToStart,
        spacingMs: callsToStart > 0 ? Math.floor(tickMs / callsToStart) : 0,
        startOffsetsMs: offsets[index] ?? [],
      };
    }),
  };
}

interface Demand {
  index: number;
  weight: number;
  inFlight: number;
  due: number;
}

/**
 * Continuous max-min fair shares: the level L with Σ clamp(L·w − inFlight, 0, due) = total.
 * The sum is piecewise linear and increasing in L, so L is found exactly between two breakpoints.
 */
function waterFill(demands: readonly Demand[], total: number): Map<number, number> {
  const filled = (level: number) =>
    demands.reduce((sum, demand) => sum + clamp(level * demand.weight - demand.inFlight, 0, demand.due), 0);
  const breakpoints = [
    ...new Set(demands.flatMap((d) => [d.inFlight / d.weight, (d.inFlight + d.due) / d.weight])),
  ].sort((a, b) => a - b);
  let lower = breakpoints[0] ?? 0;
  let level = lower;
  for (const upper of breakpoints) {
    const atUpper = filled(upper);
    if (atUpper >= total) {
      const atLower = filled(lower);
      level = upper === lower ? upper : lower + ((total - atLower) * (upper - lower)) / (atUpper - atLower);
      break;
    }
    lower = upper;
    level = upper;
  }
  return new Map(demands.map((d) => [d.index, clamp(level * d.weight - d.inFlight, 0, d.due)]));
}

function roundByLargestRemainder(
  demands: readonly Demand[],
  shares: ReadonlyMap<number, number>,
  total: number,
  starts: number[],
): void {
  let assigned = 0;
  for (const demand of demands) {
    const whole = Math.min(demand.due, Math.floor(shares.get(demand.index) ?? 0));
    starts[demand.index] = whole;
    assigned += whole;
  }
  const remainder = (demand: Demand) => {
    const share = shares.get(demand.index) ?? 0;
    return share - Math.floor(share);
  };
  const byRemainder = [...demands].sort(
    (a, b) => remainder(b) - remainder(a) || b.weight - a.weight || a.index - b.index,
  );
  // Float drift can leave a seat for a campaign whose remainder rounded to zero; the second pass
  // gives it to whoever still has room, in the same order.
  for (const requireRemainder of [true, false]) {
    for (const demand of byRemainder) {
      if (assigned >= total) {
        return;
      }
      const current = starts[demand.index] ?? 0;
      if (current < demand.due && (!requireRemainder || remainder(demand) > 0)) {
        starts[demand.index] = current + 1;
        assigned += 1;
      }
    }
  }
}

/**
 * Picks `total` of the `slots` token slots, evenly spread and ending with the last one, and deals
 * them to the campaigns in proportion to their counts (each slot to the campaign furthest behind
 * its even pace), so every campaign's starts are spread over the whole tick.
 */
function interleave(starts: readonly number[], total: number, slots: number, tickSeconds: number): number[][] {
  const offsets = starts.map(() => [] as number[]);
  const dealt = starts.map(() => 0);
  for (let pick = 0; pick < total; pick += 1) {
    let chosen = -1;
    let bestLag = Number.NEGATIVE_INFINITY;
    starts.forEach((count, index) => {
      const given = dealt[index] ?? 0;
      const lag = (count * (pick + 1)) / total - given;
      if (given < count && lag > bestLag) {
        bestLag = lag;
        chosen = index;
      }
    });
    const slot = Math.floor(((pick + 1) * slots) / total) - 1;
    offsets[chosen]?.push(slotOffsetMs(slot, slots, tickSeconds));
    dealt[chosen] = (dealt[chosen] ?? 0) + 1;
  }
  return offsets;
}

/** A limit configuration that cannot work, found before a run starts. */
export interface CapProblem {
  code:
    | 'NOT_A_POSITIVE_NUMBER'
    | 'BURST_BELOW_ONE'
    | 'BURST_BELOW_RATE'
    | 'RATE_ABOVE_CONNECT_QUOTA'
    | 'BURST_ABOVE_CONNECT_QUOTA'
    | 'CONCURRENCY_ABOVE_CONNECT_QUOTA'
    | 'FLOW_CONCURRENCY_TOO_LOW'
    | 'FLOW_CONCURRENCY_ABOVE_ACCOUNT'
    | 'CONCURRENCY_UNREACHABLE';
  /** `error`: the engine would break a quota or fail calls; `warning`: it works, but not as configured. */
  severity: 'error' | 'warning';
  message: string;
}

export interface CapsInput {
  maxConcurrentCalls: number;
  dialsPerSecond: number;
  burst: number;
  /** Reserved concurrency shared by the contact-flow Lambdas (next question, record answer). */
  flowFunctionReservedConcurrency: number;
  /** Flow Lambda invocations per live call per minute, all flow functions together. Default 6. */
  flowInvocationsPerCallPerMinute?: number;
  /** Slow-end (p99) duration of one flow invocation, seconds. Default 1. */
  flowInvocationSeconds?: number;
  /** Multiplier for bursts (calls answered together hit the greeting together). Default 2. */
  flowConcurrencyHeadroom?: number;
  /** Connect quotas of the account/instance, when known; each check runs only if given. */
  connectQuotas?: { concurrentCalls?: number; startOutboundRatePerSecond?: number; startOutboundBurst?: number };
  /** Lambda account concurrency, when known. */
  accountConcurrency?: number;
  /** Mean call length including ringing, seconds, when known. */
  averageCallSeconds?: number;
}

/** Lambda keeps this much account concurrency unreserved; reservations cannot eat into it. */
const LAMBDA_UNRESERVED_MINIMUM = 100;

/**
 * Flow-Lambda concurrency that `maxConcurrentCalls` live calls need, by Little's law: invocations
 * arrive at `calls × perMinute / 60` per second and each holds an execution for `seconds`; the
 * headroom absorbs calls answered in the same instant. Below this, throttled invocations send
 * callers down the flow's error branch mid-survey.
 */
export function requiredFlowConcurrency(
  input: Pick<
    CapsInput,
    'maxConcurrentCalls' | 'flowInvocationsPerCallPerMinute' | 'flowInvocationSeconds' | 'flowConcurrencyHeadroom'
  >,
): number {
  const perMinute = input.flowInvocationsPerCallPerMinute ?? 6;
  const seconds = input.flowInvocationSeconds ?? 1;
  const headroom = input.flowConcurrencyHeadroom ?? 2;
  return Math.ceil(((input.maxConcurrentCalls * perMinute) / 60) * seconds * headroom);
}

/**
 * Consistency checks over the pacing limits, returned as a list (empty when consistent) so a
 * deployment check or the API can show every problem at once.
 *
 * Rules:
 * - every number positive; `burst` at least one whole token (errors);
 * - `burst >= dialsPerSecond`: a smaller bucket overflows within the first second after a pause,
 *   so the configured rate is never reached in practice (error);
 * - rate, burst and concurrency within the Connect quotas when those are given (errors: Connect
 *   answers with LimitExceededException or fails the call);
 * - reserved flow-Lambda concurrency ≥ {@link requiredFlowConcurrency} (error) and within the
 *   account's reservable concurrency when that is given (error);
 * - `dialsPerSecond × averageCallSeconds ≥ maxConcurrentCalls` when the call length is given:
 *   otherwise the concurrency cap can never be filled (warning, not wrong, just oversized).
 */
export function validateCaps(caps: CapsInput): CapProblem[] {
  const problems: CapProblem[] = [];
  const numbers: Array<[string, number | undefined]> = [
    ['maxConcurrentCalls', caps.maxConcurrentCalls],
    ['dialsPerSecond', caps.dialsPerSecond],
    ['burst', caps.burst],
    ['flowFunctionReservedConcurrency', caps.flowFunctionReservedConcurrency],
    ['flowInvocationsPerCallPerMinute', caps.flowInvocationsPerCallPerMinute],
    ['flowInvocationSeconds', caps.flowInvocationSeconds],
    ['flowConcurrencyHeadroom', caps.flowConcurrencyHeadroom],
    ['connectQuotas.concurrentCalls', caps.connectQuotas?.concurrentCalls],
    ['connectQuotas.startOutboundRatePerSecond', caps.connectQuotas?.startOutboundRatePerSecond],
    ['connectQuotas.startOutboundBurst', caps.connectQuotas?.startOutboundBurst],
    ['accountConcurrency', caps.accountConcurrency],
    ['averageCallSeconds', caps.averageCallSeconds],
  ];
  for (const [name, value] of numbers) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      problems.push({ code: 'NOT_A_POSITIVE_NUMBER', severity: 'error', message: `${name} must be > 0, got ${value}` });
    }
  }
  if (problems.length > 0) {
    return problems;
  }

  const { maxConcurrentCalls, dialsPerSecond, burst, flowFunctionReservedConcurrency } = caps;
  if (burst < 1) {
    problems.push({
      code: 'BURST_BELOW_ONE',
      severity: 'error',
      message: `burst ${burst} never holds a whole token, so no call could ever start`,
    });
  } else if (burst < dialsPerSecond) {
    problems.push({
      code: 'BURST_BELOW_RATE',
      severity: 'error',
      message: `burst ${burst} is below dialsPerSecond ${dialsPerSecond}: the bucket overflows and the rate is never reached`,
    });
  }

  const quotas = caps.connectQuotas ?? {};
  if (quotas.startOutboundRatePerSecond !== undefined && dialsPerSecond > quotas.startOutboundRatePerSecond) {
    problems.push({
      code: 'RATE_ABOVE_CONNECT_QUOTA',
      severity: 'error',
      message: `dialsPerSecond ${dialsPerSecond} exceeds the StartOutboundVoiceContact quota ${quotas.startOutboundRatePerSecond}/s`,
    });
  }
  if (quotas.startOutboundBurst !== undefined && burst > quotas.startOutboundBurst) {
    problems.push({
      code: 'BURST_ABOVE_CONNECT_QUOTA',
      severity: 'error',
      message: `burst ${burst} exceeds the StartOutboundVoiceContact burst quota ${quotas.startOutboundBurst}`,
    });
  }
  if (quotas.concurrentCalls !== undefined && maxConcurrentCalls > quotas.concurrentCalls) {
    problems.push({
      code: 'CONCURRENCY_ABOVE_CONNECT_QUOTA',
      severity: 'error',
      message: `maxConcurrentCalls ${maxConcurrentCalls} exceeds Connect's concurrent-calls quota ${quotas.concurrentCalls}`,
    });
  }

  const required = requiredFlowConcurrency(caps);
  if (flowFunctionReservedConcurrency < required) {
    problems.push({
      code: 'FLOW_CONCURRENCY_TOO_LOW',
      severity: 'error',
      message: `flow Lambdas reserve ${flowFunctionReservedConcurrency} but ${maxConcurrentCalls} live calls need ${required}`,
    });
  }
  if (
    caps.accountConcurrency !== undefined &&
    flowFunctionReservedConcurrency > caps.accountConcurrency - LAMBDA_UNRESERVED_MINIMUM
  ) {
    problems.push({
      code: 'FLOW_CONCURRENCY_ABOVE_ACCOUNT',
      severity: 'error',
      message: `reserving ${flowFunctionReservedConcurrency} leaves less than ${LAMBDA_UNRESERVED_MINIMUM} of the account's ${caps.accountConcurrency} unreserved`,
    });
  }
  if (caps.averageCallSeconds !== undefined && dialsPerSecond * caps.averageCallSeconds < maxConcurrentCalls) {
    problems.push({
      code: 'CONCURRENCY_UNREACHABLE',
      severity: 'warning',
      message: `at ${dialsPerSecond}/s and ${caps.averageCallSeconds}s per call at most ${Math.floor(
        dialsPerSecond * caps.averageCallSeconds,
      )} calls are live at once, below maxConcurrentCalls ${maxConcurrentCalls}`,
    });
  }
  return problems;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Counts from counters and callers: NaN is nothing, Infinity is "no limit" (kept finite). */
function wholeCount(value: number): number {
  return Number.isNaN(value) ? 0 : Math.max(0, Math.floor(Math.min(value, Number.MAX_SAFE_INTEGER)));
}

function assertPositive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
}
