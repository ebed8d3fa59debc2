/**
 * Delivery faults: EventBridge delivery of Connect events is best effort, so an event may be lost,
 * delivered twice, or arrive late (after a later event of the same contact).
 */
import { type Random, sampleDuration } from './random.ts';
import type { Faults, Scenario } from './scenario.ts';

/** How one event will be delivered. */
export interface DeliveryPlan {
  /** One entry per copy: its delay in simulated ms (scaled by timeScale before waiting). */
  delaysMs: number[];
  /** Wall-clock latency added to every copy. */
  latencyMs: number;
  dropped: boolean;
  delayed: boolean;
  duplicated: boolean;
}

/**
 * Decides the fate of one event. Draws a fixed number of values in a fixed order, so each fault's
 * probability can be changed without shifting the others' outcomes.
 */
export function planDelivery(faults: Faults, random: Random, latency: Scenario['eventLatencyMs'] = 0): DeliveryPlan {
  const dropped = random() < faults.dropProbability;
  const delayed = random() < faults.delayProbability;
  const delayMs = sampleDuration(random, faults.delayMs);
  const duplicated = random() < faults.duplicateProbability;
  const duplicateDelayMs = sampleDuration(random, faults.duplicateDelayMs);
  const latencyMs = sampleDuration(random, latency);
  if (dropped) {
    return { delaysMs: [], latencyMs, dropped, delayed: false, duplicated: false };
  }
  const firstDelayMs = delayed ? delayMs : 0;
  return {
    delaysMs: duplicated ? [firstDelayMs, firstDelayMs + duplicateDelayMs] : [firstDelayMs],
    latencyMs,
    dropped,
    delayed,
    duplicated,
  };
}
