import { parse } from 'yaml';
import { z } from 'zod';
import { KEY_CLASSES, type KeyClass } from '../../functions/core/key-classes.ts';
import { type Usage, type UsageProfile, ZERO_USAGE } from '../../functions/core/planning/cost.ts';
import { addUsage, type UsageTotals } from '../../functions/lib/usage-meter.ts';

export interface LambdaUsage {
  invocations: number;
  billedMs: number;
  memoryMb: number;
}

export interface MeasuredUsage {
  lambda: Record<string, LambdaUsage>;
  meter: UsageTotals;
}

const BILLED = /\(λ: ([\w-]+)\) RequestId: \S+\s+Duration: [\d.]+ ms\s+Billed Duration: (\d+) ms/;
const UsageLineSchema = z.object({
  usage: z.object({
    dynamodb: z.record(z.string(), z.object({ readUnits: z.number(), writeUnits: z.number(), requests: z.number() })),
    requests: z.record(z.string(), z.number()),
  }),
});

/** Memory (MB) of each function, as serverless.yml gives it (the provider's default otherwise). */
export function functionMemory(serverlessYml: string): Record<string, number> {
  const service = z
    .object({
      provider: z.object({ memorySize: z.number().default(1024) }),
      functions: z.record(z.string(), z.object({ memorySize: z.number().optional() })),
    })
    .parse(parse(serverlessYml, { logLevel: 'silent' }));
  return Object.fromEntries(
    Object.entries(service.functions).map(([name, fn]) => [name, fn.memorySize ?? service.provider.memorySize]),
  );
}

/**
 * The usage written to `log` between the byte offsets `from` and `to` (file sizes, as the rehearsal takes them). The
 * log has multi-byte characters (λ, ×): slicing its text by those offsets as character indexes moved the import's
 * window past the import's own usage line, which is why the import measured about nothing.
 */
export function measureLog(log: string, memory: Record<string, number>, from = 0, to?: number): MeasuredUsage {
  const lambda: Record<string, LambdaUsage> = {};
  let meter: UsageTotals = { dynamodb: {}, requests: {} };
  const window = Buffer.from(log, 'utf8').subarray(from, to).toString('utf8');
  for (const line of window.split('\n')) {
    const billed = BILLED.exec(line);
    if (billed !== null) {
      const name = billed[1] ?? '';
      const entry = lambda[name] ?? { invocations: 0, billedMs: 0, memoryMb: memory[name] ?? 1024 };
      entry.invocations += 1;
      entry.billedMs += Number(billed[2]);
      lambda[name] = entry;
      continue;
    }
    const start = line.indexOf('{"usage"');
    if (start < 0) continue;
    let json: unknown;
    try {
      json = JSON.parse(line.slice(start));
    } catch {
      continue;
    }
    const parsed = UsageLineSchema.safeParse(json);
    if (!parsed.success) continue;
    const dynamodb: UsageTotals['dynamodb'] = {};
    for (const keyClass of KEY_CLASSES) {
      const units = parsed.data.usage.dynamodb[keyClass];
      if (units !== undefined) dynamodb[keyClass] = units;
    }
    meter = addUsage(meter, { dynamodb, requests: parsed.data.usage.requests });
  }
  return { lambda, meter };
}

/** What each function's invocations are a unit of (the operator's own API calls are not the engine's). */
const FUNCTION_WORK: Record<string, keyof Omit<UsageProfile, 'measuredAt' | 'source' | 'run'> | 'operator'> = {
  dispatch: 'perTick',
  sweeper: 'perTick',
  runEstimates: 'perTick',
  callEnded: 'perAttempt',
  // Facts for analytics from the table's stream: its batches follow the writes the attempts make.
  analyticsStream: 'perAttempt',
  nextStep: 'perAttempt',
  recordAnswer: 'perAttempt',
  listsUpload: 'perContact',
  listUploaded: 'perContact',
  listsUploadUrl: 'perContact',
  runInit: 'perExecution',
  runFinalize: 'perExecution',
  runReport: 'perExecution',
  runFail: 'perExecution',
};

/**
 * Key classes whose reads a tick makes (the run and its counters, pacing, lines, the due index): the rest of the
 * reads, and every write but those of the run's own items, follow the attempts.
 */
const TICK_READS = new Set<KeyClass>([
  'run-item',
  'run-bucket',
  'pacing',
  'active-runs',
  'line-shard',
  'due-index',
  'run-history',
]);
const TICK_WRITES = new Set<KeyClass>(['run-item', 'pacing', 'active-runs', 'run-history']);

/**
 * The usage profile of a run: the import's usage per contact, and the run's split per attempt, per tick and per
 * execution. Step Functions transitions are counted from the state machine (statemachines/campaign-run.asl.yml):
 * three per tick (Dispatch, NextStep, WaitForTick), four per execution (Init, Finalize, Report, AnnounceSummary).
 */
export function usageProfile(input: {
  importPhase: MeasuredUsage;
  runPhase: MeasuredUsage;
  run: { contacts: number; attempts: number; ticks: number; executions: number };
  measuredAt: string;
  source: string;
}): UsageProfile {
  const work = {
    perAttempt: { ...ZERO_USAGE },
    perTick: { ...ZERO_USAGE },
    perContact: { ...ZERO_USAGE },
    perExecution: { ...ZERO_USAGE },
  };
  addLambda(work, input.importPhase.lambda, 'perContact');
  addLambda(work, input.runPhase.lambda);
  addMeter(work.perContact, work.perContact, input.importPhase.meter);
  addMeter(work.perAttempt, work.perTick, input.runPhase.meter);
  work.perTick.stateTransitions += 3 * input.run.ticks;
  work.perExecution.stateTransitions += 4 * input.run.executions;
  const per = (usage: Usage, count: number): Usage =>
    Object.fromEntries(Object.entries(usage).map(([key, value]) => [key, round(value / Math.max(1, count))])) as Usage;
  return {
    measuredAt: input.measuredAt,
    source: input.source,
    run: input.run,
    perAttempt: per(work.perAttempt, input.run.attempts),
    perTick: per(work.perTick, input.run.ticks),
    perContact: per(work.perContact, input.run.contacts),
    perExecution: per(work.perExecution, input.run.executions),
  };
}

type Work = Record<'perAttempt' | 'perTick' | 'perContact' | 'perExecution', Usage>;

function addLambda(work: Work, lambda: Record<string, LambdaUsage>, only?: keyof Work): void {
  for (const [name, usage] of Object.entries(lambda)) {
    const kind = only ?? FUNCTION_WORK[name];
    if (kind === undefined || kind === 'operator') continue;
    work[kind].lambdaRequests += usage.invocations;
    work[kind].lambdaGbSeconds += (usage.billedMs / 1000) * (usage.memoryMb / 1024);
  }
}

function addMeter(perAttempt: Usage, perTick: Usage, meter: UsageTotals): void {
  for (const keyClass of KEY_CLASSES) {
    const units = meter.dynamodb[keyClass];
    if (units === undefined) continue;
    (TICK_READS.has(keyClass) ? perTick : perAttempt).dynamodbReadUnits += units.readUnits;
    (TICK_WRITES.has(keyClass) ? perTick : perAttempt).dynamodbWriteUnits += units.writeUnits;
  }
  for (const [name, count] of Object.entries(meter.requests)) {
    if (name === 'sns:Publish') perAttempt.snsPublishes += count;
    if (name.startsWith('s3:')) {
      if (/^s3:(Get|Head)/.test(name)) perAttempt.s3Gets += count;
      else perAttempt.s3Puts += count;
    }
  }
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;
