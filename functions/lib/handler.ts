/**
 * The middleware every Lambda function shares, so a handler file only parses its event and delegates:
 * - Powertools `injectLambdaContext`: every log line of the call carries its request id, function name and cold start;
 * - Powertools `logMetrics`: metrics buffered during the call are flushed when it ends, whether it returned or threw.
 * HTTP functions add their error middleware on top (`httpHandler` in http.ts).
 * A function that works on runs passes a {@link RunUsageRecorder}: its invocations' AWS usage then goes to the runs
 * they wrote to (functions/lib/run-usage.ts, the run report's cost).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';
import { type RunUsageRecorder, recordingRunUsage } from './run-usage.ts';
import { usageMeter } from './usage-meter.ts';

/** A handler as the functions write it; `TEvent` is `unknown` where the handler parses its event with zod. */
export type LambdaFunction<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * The process's usage meter writes its line at a request at least 5 s after its last one: an invocation that lasted
 * a second or more (an import, a dispatcher tick) writes its own when it ends, or a container that is not invoked
 * again would never write it (a 500-contact import took under 5 s and its line was never written).
 */
const LONG_INVOCATION_MS = 1_000;

function usageLineOfLongInvocations<TEvent, TResult>(): middy.MiddlewareObj<TEvent, TResult> {
  const startedAt = new WeakMap<object, number>();
  const report = async (request: middy.Request<TEvent, TResult>) => {
    const started = startedAt.get(request) ?? Date.now();
    usageMeter.maybeReport(Date.now() - started >= LONG_INVOCATION_MS);
  };
  return {
    before: async (request) => {
      startedAt.set(request, Date.now());
    },
    after: report,
    onError: report,
  };
}

/** The shared middleware chain, typed with the event and result of the handler it will wrap. */
export function observedChain<TEvent, TResult>(): middy.MiddyfiedHandler<TEvent, TResult> {
  return (
    middy<TEvent, TResult>()
      // Never the event itself: events carry phone numbers, whatever POWERTOOLS_LOGGER_LOG_EVENT says.
      .use(injectLambdaContext(logger, { logEvent: false }))
      // No cold-start metric: one more custom metric per function, for what the logs' cold_start already tells.
      .use(logMetrics(metrics))
      .use(usageLineOfLongInvocations<TEvent, TResult>())
  );
}

/** Options of a wrapped handler. */
export interface HandlerOptions {
  /** Records the invocations' usage for the runs they write to (the run report's cost). */
  runUsage?: RunUsageRecorder;
}

/** `handler`, recording its usage per run when `options.runUsage` is given. */
export function withRunUsage<TEvent, TResult>(
  handler: LambdaFunction<TEvent, TResult>,
  options: HandlerOptions,
): LambdaFunction<TEvent, TResult> {
  return options.runUsage === undefined ? handler : recordingRunUsage(options.runUsage, handler);
}

/** Wraps a handler with the shared middleware (Lambda context on log lines, metrics flushed at the end). */
export function lambdaHandler<TEvent = unknown, TResult = unknown>(
  handler: LambdaFunction<TEvent, TResult>,
  options: HandlerOptions = {},
): middy.MiddyfiedHandler<TEvent, TResult> {
  return observedChain<TEvent, TResult>().handler(withRunUsage(handler, options));
}
