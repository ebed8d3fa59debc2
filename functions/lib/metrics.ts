/**
 * Business metrics through Powertools Metrics (CloudWatch embedded metric format, namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`): dials, outcomes, throttles, calls in flight. Each call publishes
 * its own EMF line immediately, so handlers need no flush middleware.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics();

/** Publishes one set of counts (and gauges) with the campaign (and any other dimensions). */
export function publishMetrics(
  dimensions: Readonly<Record<string, string>> & { campaignId: string },
  values: Readonly<Record<string, number>>,
  units: Readonly<Record<string, (typeof MetricUnit)[keyof typeof MetricUnit]>> = {},
): void {
  const single = metrics.singleMetric();
  for (const [name, value] of Object.entries(dimensions)) single.addDimension(name, value);
  for (const [name, value] of Object.entries(values)) single.addMetric(name, units[name] ?? MetricUnit.Count, value);
}

export { MetricUnit };
