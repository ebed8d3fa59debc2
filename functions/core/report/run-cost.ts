/**
 * What a run cost: its own measured AWS usage (the usage counters `u_…` the engine's functions add to the run's
 * USAGE items, docs/cost-model.md) priced with the stage's rate table, by service; and apart, what the calls
 * themselves cost (Connect voice usage and telephony on the calls' connected minutes, and the follow-up SMS).
 * Pure: no AWS SDK here.
 */
import { type CostLine, priceEngine, priceTelephony, type Usage } from '../planning/cost.ts';
import type { RegionRates } from '../planning/rates.ts';
import type { RunCounters } from './summary.ts';

/** Usage counter names; a function's Lambda usage is `u_fn_<name>_n` (invocations), `_ms` (billed), `_mbms`. */
export const USAGE_COUNTERS = {
  dynamodbReadUnits: 'u_ddb_r',
  dynamodbWriteUnits: 'u_ddb_w',
  stateTransitions: 'u_sfn',
  snsPublishes: 'u_sns',
  sms: 'u_sms',
  s3Puts: 'u_s3_put',
  s3Gets: 'u_s3_get',
} as const;
const FUNCTION_COUNTER = /^u_fn_([A-Za-z0-9]{1,40})_(n|ms|mbms)$/;
/** Most functions a report lists by name (the engine has about 30; more would be counted under "other"). */
export const MAX_REPORTED_FUNCTIONS = 40;

/** A function's name as a counter may hold it: the last part of `<service>-<stage>-<function>`, letters and digits. */
export function functionCounterName(functionName: string): string {
  const last = functionName.slice(functionName.lastIndexOf('-') + 1).replace(/[^A-Za-z0-9]/g, '');
  return last === '' ? 'other' : last.slice(0, 40);
}

/** What one invocation (or a sum of them) used, as the meter counts it. */
export interface InvocationUsageFigures {
  dynamodbReadUnits: number;
  dynamodbWriteUnits: number;
  /** Requests per `<service>:<operation>`, as functions/lib/usage-meter.ts names them. */
  requests: Readonly<Record<string, number>>;
  stateTransitions: number;
  lambda?: { functionName: string; billedMs: number; memoryMb: number };
}

/** S3 operations billed at the GET rate; every other S3 request is billed at the PUT/POST/LIST rate. */
const S3_GET = /^s3:(Get|Head)/;

/** The usage counters to add for `usage`, each multiplied by `share` (an invocation that wrote to k runs gives each 1/k). */
export function usageCounters(usage: InvocationUsageFigures, share = 1): Record<string, number> {
  const counters: Record<string, number> = {};
  const add = (name: string, value: number) => {
    if (value > 0 && Number.isFinite(value)) counters[name] = (counters[name] ?? 0) + value * share;
  };
  add(USAGE_COUNTERS.dynamodbReadUnits, usage.dynamodbReadUnits);
  add(USAGE_COUNTERS.dynamodbWriteUnits, usage.dynamodbWriteUnits);
  add(USAGE_COUNTERS.stateTransitions, usage.stateTransitions);
  for (const [name, count] of Object.entries(usage.requests)) {
    if (name === 'sns:SMS') add(USAGE_COUNTERS.sms, count);
    // The meter counts an SMS as a publish and as an SMS: SMS are priced apart, per message.
    else if (name === 'sns:Publish') add(USAGE_COUNTERS.snsPublishes, count - (usage.requests['sns:SMS'] ?? 0));
    else if (name.startsWith('s3:')) add(S3_GET.test(name) ? USAGE_COUNTERS.s3Gets : USAGE_COUNTERS.s3Puts, count);
  }
  if (usage.lambda !== undefined) {
    const name = functionCounterName(usage.lambda.functionName);
    add(`u_fn_${name}_n`, 1);
    add(`u_fn_${name}_ms`, usage.lambda.billedMs);
    add(`u_fn_${name}_mbms`, usage.lambda.billedMs * usage.lambda.memoryMb);
  }
  return counters;
}

/** A run's measured usage, read back from its counters. */
export interface RunUsage {
  dynamodbReadUnits: number;
  dynamodbWriteUnits: number;
  stateTransitions: number;
  /** SNS publishes that are not SMS (alerts, the run's summary). */
  snsPublishes: number;
  /** SMS the engine sent through SNS (follow-ups). */
  sms: number;
  s3Puts: number;
  s3Gets: number;
  lambda: Array<{ name: string; invocations: number; billedMs: number; gbSeconds: number }>;
}

/** The usage counters among a run's counters (absent ones are zero; unknown `u_` names are ignored). */
export function runUsageOf(counters: RunCounters): RunUsage {
  const value = (name: string) => Math.max(0, counters[name] ?? 0);
  const functions = new Map<string, { invocations: number; billedMs: number; mbMs: number }>();
  for (const [name, amount] of Object.entries(counters)) {
    const match = FUNCTION_COUNTER.exec(name);
    if (match === null) continue;
    const [, functionName = 'other', kind] = match;
    const entry = functions.get(functionName) ?? { invocations: 0, billedMs: 0, mbMs: 0 };
    if (kind === 'n') entry.invocations += Math.max(0, amount);
    else if (kind === 'ms') entry.billedMs += Math.max(0, amount);
    else entry.mbMs += Math.max(0, amount);
    functions.set(functionName, entry);
  }
  const lambda = [...functions.entries()]
    .map(([name, entry]) => ({
      name,
      invocations: round(entry.invocations, 3),
      billedMs: Math.round(entry.billedMs),
      gbSeconds: entry.mbMs / 1024 / 1000,
    }))
    .sort((a, b) => b.gbSeconds - a.gbSeconds || a.name.localeCompare(b.name));
  return {
    dynamodbReadUnits: value(USAGE_COUNTERS.dynamodbReadUnits),
    dynamodbWriteUnits: value(USAGE_COUNTERS.dynamodbWriteUnits),
    stateTransitions: value(USAGE_COUNTERS.stateTransitions),
    snsPublishes: value(USAGE_COUNTERS.snsPublishes),
    sms: value(USAGE_COUNTERS.sms),
    s3Puts: value(USAGE_COUNTERS.s3Puts),
    s3Gets: value(USAGE_COUNTERS.s3Gets),
    lambda: boundFunctions(lambda),
  };
}

/** At most {@link MAX_REPORTED_FUNCTIONS} functions by name, the rest summed as "other". */
function boundFunctions(lambda: RunUsage['lambda']): RunUsage['lambda'] {
  if (lambda.length <= MAX_REPORTED_FUNCTIONS) return lambda;
  const kept = lambda.slice(0, MAX_REPORTED_FUNCTIONS - 1);
  const rest = lambda.slice(MAX_REPORTED_FUNCTIONS - 1);
  kept.push({
    name: 'other',
    invocations: rest.reduce((sum, entry) => sum + entry.invocations, 0),
    billedMs: rest.reduce((sum, entry) => sum + entry.billedMs, 0),
    gbSeconds: rest.reduce((sum, entry) => sum + entry.gbSeconds, 0),
  });
  return kept;
}

/** The services the report prices the engine's usage under. */
export const ENGINE_SERVICES = ['DynamoDB', 'Lambda', 'Step Functions', 'SNS', 'S3'] as const;
export type EngineService = (typeof ENGINE_SERVICES)[number];

/** The rates a run is priced with: a Region's, with the table's date, and the stage's overrides if any. */
export type RunRates = RegionRates & { region: string; asOf: string; overrides?: string };

export interface RunCost {
  currency: 'USD';
  /** Where the prices came from: Region, the table's date, the stage's overrides. */
  rates: string;
  engine: {
    total: number;
    byService: Array<{ service: EngineService; usd: number; lines: CostLine[] }>;
    /** Lambda per function: invocations, billed milliseconds, GB-seconds and their price (requests and compute). */
    lambdaFunctions: Array<{ name: string; invocations: number; billedMs: number; gbSeconds: number; usd: number }>;
  };
  telephony: { total: number; lines: CostLine[] };
}

const SERVICE_OF_LINE: Record<string, EngineService> = {
  'DynamoDB reads': 'DynamoDB',
  'DynamoDB writes': 'DynamoDB',
  'Lambda requests': 'Lambda',
  'Lambda compute': 'Lambda',
  'Step Functions': 'Step Functions',
  SNS: 'SNS',
  'S3 writes': 'S3',
  'S3 reads': 'S3',
};

/**
 * Prices a run: the engine's measured usage by service, and apart the calls' telephony. `calls.talkSeconds` are the
 * answered calls' connected seconds (the run's `talkSeconds` counter), `calls.sms` the follow-up SMS sent.
 */
export function priceRun(usage: RunUsage, calls: { talkSeconds: number; sms: number }, rates: RunRates): RunCost {
  const engineUsage: Usage = {
    dynamodbReadUnits: usage.dynamodbReadUnits,
    dynamodbWriteUnits: usage.dynamodbWriteUnits,
    lambdaRequests: usage.lambda.reduce((sum, entry) => sum + entry.invocations, 0),
    lambdaGbSeconds: usage.lambda.reduce((sum, entry) => sum + entry.gbSeconds, 0),
    stateTransitions: usage.stateTransitions,
    snsPublishes: usage.snsPublishes,
    s3Puts: usage.s3Puts,
    s3Gets: usage.s3Gets,
  };
  const engine = priceEngine(engineUsage, rates);
  const telephony = priceTelephony(
    { lineMinutes: Math.max(0, calls.talkSeconds) / 60, sms: Math.max(0, calls.sms) },
    rates,
  );
  const source = `${rates.region} list prices as of ${rates.asOf}${rates.overrides === undefined ? '' : `, ${rates.overrides}`}`;
  return {
    currency: 'USD',
    rates: source,
    engine: {
      total: usd(engine.total),
      byService: ENGINE_SERVICES.map((service) => {
        const lines = engine.lines.filter((line) => SERVICE_OF_LINE[line.service] === service).map(roundLine);
        return { service, usd: usd(lines.reduce((sum, line) => sum + line.usd, 0)), lines };
      }),
      lambdaFunctions: usage.lambda.map((entry) => ({
        ...entry,
        gbSeconds: round(entry.gbSeconds, 3),
        usd: usd(
          (entry.invocations * rates.lambda.requestsPerMillion) / 1e6 + entry.gbSeconds * rates.lambda.gbSecondArm,
        ),
      })),
    },
    telephony: { total: usd(telephony.total), lines: telephony.lines.map(roundLine) },
  };
}

/** {@link priceRun} of a run's counters: its usage counters, `talkSeconds` and `followUpsSent`. */
export function runCostOf(counters: RunCounters, rates: RunRates): RunCost {
  return priceRun(
    runUsageOf(counters),
    { talkSeconds: counters.talkSeconds ?? 0, sms: counters.followUpsSent ?? 0 },
    rates,
  );
}

/** Dollars to the cent, and under a cent to 4 or 6 decimals: a run's engine cost by service is often that small. */
export function formatDollars(value: number): string {
  if (value === 0 || value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(value >= 0.0001 ? 4 : 6)}`;
}

/** One line for the run's announcement: the engine's measured AWS cost by service, and the calls' apart. */
export function costLine(cost: RunCost): string {
  const services = cost.engine.byService.map((entry) => `${entry.service} ${formatDollars(entry.usd)}`).join(', ');
  return (
    `Engine cost ${formatDollars(cost.engine.total)} (${services}); telephony and SMS ${formatDollars(cost.telephony.total)} ` +
    `(${cost.rates}).`
  );
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
/** Dollars to a millionth of a cent: a run's engine cost is often well under a cent. */
const usd = (value: number) => round(value, 8);
const roundLine = (line: CostLine): CostLine => ({ ...line, usd: usd(line.usd) });
