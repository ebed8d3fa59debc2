/**
 * What the caps allow, in numbers a plan can compare: the lines the flow Lambdas' reserved concurrency can serve,
 * the physical bound on a run's length, the resource that paces a run, and the caps needed for a throughput.
 */
import { requiredFlowConcurrency } from '../policy/pacing.ts';

/**
 * The live calls the contact-flow Lambdas' reserved concurrency can serve (the inverse of
 * `requiredFlowConcurrency`): more calls than this and invocations are throttled mid-survey.
 */
export function linesFlowConcurrencyServes(flowFunctionConcurrency: number): number {
  const perLine = requiredFlowConcurrency({ maxConcurrentCalls: 1_000 }) / 1_000;
  return Math.floor(flowFunctionConcurrency / perLine + 1e-9);
}

/**
 * The physical bound: no dispatcher finishes `attempts` attempts of `meanLineSeconds` each sooner than the lines
 * and the dial rate allow, max(A·d̄/C, A/R), in seconds.
 */
export function physicalBoundSeconds(input: {
  attempts: number;
  meanLineSeconds: number;
  lines: number;
  dialsPerSecond: number;
}): number {
  return Math.max((input.attempts * input.meanLineSeconds) / input.lines, input.attempts / input.dialsPerSecond);
}

/** Which of the two paces a run: the lines when C < R·d̄ (every line busy before the rate is used up). */
export function pacingResource(input: {
  lines: number;
  dialsPerSecond: number;
  meanLineSeconds: number;
}): 'lines' | 'rate' {
  return input.lines < input.dialsPerSecond * input.meanLineSeconds ? 'lines' : 'rate';
}

/**
 * Caps that sustain `dialsPerSecond` dials of `meanLineSeconds` each: the rate itself (to a tenth, rounded up) and
 * lines for R·d̄ with `headroom` (calls end in bursts, and a line freed mid-tick waits for its next slot).
 */
export function capsForThroughput(
  dialsPerSecond: number,
  meanLineSeconds: number,
  headroom = 1.05,
): { lines: number; dialsPerSecond: number; flowFunctionConcurrency: number } {
  const rate = Math.ceil(dialsPerSecond * 10 - 1e-9) / 10;
  const lines = Math.ceil(rate * meanLineSeconds * headroom);
  return {
    lines,
    dialsPerSecond: rate,
    flowFunctionConcurrency: requiredFlowConcurrency({ maxConcurrentCalls: lines }),
  };
}
