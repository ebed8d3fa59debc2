/**
 * Business metrics through Powertools Metrics (CloudWatch embedded metric format, namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`): dials, outcomes, throttles, calls in flight. Each call publishes
 * its own EMF line immediately, so handlers need no flush middleware.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics();

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
