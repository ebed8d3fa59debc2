/**
 * Business metrics through Powertools Metrics (CloudWatch embedded metric format, namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`): dials, outcomes, throttles, calls in flight. Each `publishMetrics` call publishes
 * its own EMF line immediately, with its own dimensions; `logMetrics` (handler.ts) flushes anything buffered.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { logger } from './logger.ts';

const EMPTY_BUFFER_NOTICE = 'No application metrics to publish';

/**
 * Where Metrics' own notices go: the structured log. Metrics are published as they happen here, so an empty buffer
 * when a call ends is the rule, and its notice is debug, not a warning on every call.
 */
const notices: NonNullable<MetricsOptions['logger']> = {
  debug: (message: unknown) => logger.debug(String(message)),
  info: (message: unknown) => logger.info(String(message)),
  warn: (message: unknown) =>
    String(message).startsWith(EMPTY_BUFFER_NOTICE) ? logger.debug(String(message)) : logger.warn(String(message)),
  error: (message: unknown) => logger.error(String(message)),
};

export const metrics = new Metrics({ logger: notices });

/** Simulations under way in this process ({@link withoutMetrics}). */
let paused = 0;

/** Publishes one set of counts (and gauges) with the campaign (and any other dimensions). */
export function publishMetrics(
  dimensions: Readonly<Record<string, string>> & { campaignId: string },
  values: Readonly<Record<string, number>>,
  units: Readonly<Record<string, (typeof MetricUnit)[keyof typeof MetricUnit]>> = {},
): void {
  if (paused > 0) return;
  const single = metrics.singleMetric();
  for (const [name, value] of Object.entries(dimensions)) single.addDimension(name, value);
  for (const [name, value] of Object.entries(values)) single.addMetric(name, units[name] ?? MetricUnit.Count, value);
}

export { MetricUnit };

/**
 * Runs `work` with {@link publishMetrics} doing nothing: a simulation of a run (the planner, the pacing benchmark)
 * settles thousands of attempts through the engine's own code, which would publish a metric for each, and
 * building each one costs more than settling the attempt.
 */
export async function withoutMetrics<T>(work: () => Promise<T>): Promise<T> {
  paused++;
  try {
    return await work();
  } finally {
    paused--;
  }
}
