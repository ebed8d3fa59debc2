/**
 * A run's own AWS usage, made attributable to the run (docs/cost-model.md, "A run's cost"): each invocation of a
 * function that works on runs is metered on its own (functions/lib/usage-meter.ts), its Lambda billed duration is
 * measured around the handler, and what it used is added to the usage counters of the runs whose items it wrote
 * (split evenly when it wrote to several).
 *
 * Writing once per invocation would add a write to every call event. Instead the process keeps each run's usage
 * pending and writes it (one UpdateItem that ADDs to one of the run's USAGE items, functions/adapters/run-usage.ts)
 * when an invocation ends and the run's oldest pending usage is {@link FLUSH_INTERVAL_MS} old: at most one write per
 * second per warm container and run, whatever the dial rate. What a container counted after its last write waits
 * for its next invocation; a container that is never invoked again loses at most that last second. Steps that run
 * once per execution (Init, Finalize, Report, a failed run's MarkRunFailed) write theirs at once.
 */
import type { Context } from 'aws-lambda';
import { usageCounters } from '../core/report/run-cost.ts';
import { logger } from './logger.ts';
import { type InvocationUsage, meterInvocation, newInvocationUsage, outsideInvocation } from './usage-meter.ts';

/** Where a run's usage counters are added (functions/adapters/run-usage.ts). */
export interface RunUsageSink {
  addRunUsage(campaignId: string, date: string, counters: Readonly<Record<string, number>>): Promise<void>;
}

export const FLUSH_INTERVAL_MS = 1_000;
/** Runs a process keeps pending usage for; past it the oldest is written at once (a process serves few runs). */
const MAX_PENDING_RUNS = 64;

interface Pending {
  counters: Record<string, number>;
  since: number;
}

/** Collects the invocations' usage per run and writes it at most every {@link FLUSH_INTERVAL_MS} per run. */
export class RunUsageRecorder {
  private readonly pending = new Map<string, Pending>();
  private readonly sink: RunUsageSink;
  private readonly now: () => number;

  constructor(sink: RunUsageSink, now: () => number = Date.now) {
    this.sink = sink;
    this.now = now;
  }

  /**
   * Adds an ended invocation's usage to its runs' pending usage (Lambda's `billedMs` at `memoryMb` for
   * `functionName`), then writes every run's usage that is due. A failed write is logged and kept for the next one:
   * the handler's result never depends on it.
   */
  async finish(
    usage: InvocationUsage,
    lambda: { functionName: string; billedMs: number; memoryMb: number },
  ): Promise<void> {
    const now = this.now();
    const runs = [...usage.runs];
    if (runs.length > 0) {
      const counters = usageCounters({ ...usage, lambda }, 1 / runs.length);
      for (const run of runs) {
        const entry = this.pending.get(run) ?? { counters: {}, since: now };
        // Carried units of the last write wait for the run's next invocation; that starts the clock.
        entry.since = Math.min(entry.since, now);
        for (const [name, value] of Object.entries(counters))
          entry.counters[name] = (entry.counters[name] ?? 0) + value;
        this.pending.set(run, entry);
      }
    }
    const due = [...this.pending.entries()].filter(
      ([run, entry], index) =>
        now - entry.since >= FLUSH_INTERVAL_MS ||
        this.pending.size - index > MAX_PENDING_RUNS ||
        (usage.flushAtEnd && usage.runs.has(run)),
    );
    for (const [run, entry] of due) {
      this.pending.delete(run);
      const separator = run.indexOf('#');
      const flushUsage = newInvocationUsage();
      try {
        // The write's own units are measured and carried to the run's next write.
        await outsideInvocation(() =>
          meterInvocation(flushUsage, () =>
            this.sink.addRunUsage(run.slice(0, separator), run.slice(separator + 1), rounded(entry.counters)),
          ),
        );
        // Merged with what a concurrent invocation of this process added for the run while the write was on its way.
        const carried = usageCounters({ ...flushUsage, stateTransitions: 0 });
        if (Object.keys(carried).length > 0) {
          this.pending.set(
            run,
            this.merge({ counters: carried, since: Number.POSITIVE_INFINITY }, this.pending.get(run)),
          );
        }
      } catch (error) {
        logger.warn('run usage not written; kept for the next write', { run, error });
        this.pending.set(run, this.merge(entry, this.pending.get(run)));
      }
    }
  }

  private merge(entry: Pending, other: Pending | undefined): Pending {
    if (other === undefined) return entry;
    for (const [name, value] of Object.entries(other.counters))
      entry.counters[name] = (entry.counters[name] ?? 0) + value;
    return { counters: entry.counters, since: Math.min(entry.since, other.since) };
  }
}

/** Counters rounded to a millionth: a share of 1/3 of a unit needs no more, and DynamoDB numbers stay short. */
function rounded(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counters)
      .map(([name, value]) => [name, Math.round(value * 1e6) / 1e6] as const)
      .filter(([, value]) => value !== 0),
  );
}

/** The function's memory: Lambda's context, or `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, which Lambda sets too. */
function memoryOf(context: Pick<Context, 'memoryLimitInMB'>): number {
  const fromContext = Number(context.memoryLimitInMB);
  if (Number.isFinite(fromContext) && fromContext > 0) return fromContext;
  const fromEnvironment = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return Number.isFinite(fromEnvironment) && fromEnvironment > 0 ? fromEnvironment : 0;
}

/**
 * Wraps a handler so that its invocation is metered on its own and its usage recorded for its runs: the handler's
 * duration, rounded up to the millisecond as Lambda bills it, at the function's configured memory.
 */
export function recordingRunUsage<TEvent, TResult>(
  recorder: RunUsageRecorder,
  handler: (event: TEvent, context: Context) => Promise<TResult>,
): (event: TEvent, context: Context) => Promise<TResult> {
  return async (event, context) => {
    const usage = newInvocationUsage();
    const started = performance.now();
    try {
      return await meterInvocation(usage, () => handler(event, context));
    } finally {
      const billedMs = Math.max(1, Math.ceil(performance.now() - started));
      await recorder.finish(usage, { functionName: context.functionName, billedMs, memoryMb: memoryOf(context) });
    }
  };
}
