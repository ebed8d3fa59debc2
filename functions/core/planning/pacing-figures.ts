/**
 * The pacing benchmark's figures, as docs/benchmarks.md defines them, from the attempts of one run (when each
 * fell due, started and ended):
 * - the binding resource: the lines when C < R·d̄, the dial rate otherwise;
 * - saturated time: while at least one tick's worth of due work waits, backlog ≥ K = ⌈min(R, C/d̄) × tick⌉;
 * - utilisation: the binding resource's use during saturated time (line-seconds ÷ C·T, or dials ÷ R·T);
 * - over all the time any work was due (backlog ≥ 1): line utilisation and dial rate;
 * - the naive bound max(A·d̄/C, A/R) and the latency from due to dial.
 */
import type { AttemptTimeline } from './ideal-dispatcher.ts';

export interface PacingFigures {
  attempts: number;
  /** d̄: mean line time per attempt, seconds. */
  meanLineSeconds: number;
  binding: 'lines' | 'rate';
  /** K: backlog that counts as saturated. */
  saturationBacklog: number;
  makespanSeconds: number;
  saturatedSeconds: number;
  /** Use of the binding resource during saturated time (0–1). */
  utilisation: number;
  naiveBoundSeconds: number;
  /** Time during which at least one contact was due and not started. */
  dueSeconds: number;
  /** Line-seconds used ÷ (C × due time). */
  lineUtilisationWhileDue: number;
  /** Dials ÷ due time. */
  dialRateWhileDue: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  peakLines: number;
}

/** Computes the figures of `attempts` run from `startAt` under caps C, R with ticks of `tickSeconds`. */
export function pacingFigures(
  attempts: readonly AttemptTimeline[],
  input: { startAt: number; maxConcurrentCalls: number; dialsPerSecond: number; tickSeconds: number },
): PacingFigures {
  const C = input.maxConcurrentCalls;
  const R = input.dialsPerSecond;
  const count = attempts.length;
  let lineMs = 0;
  let finish = input.startAt;
  for (const attempt of attempts) {
    lineMs += attempt.endAt - attempt.startAt;
    finish = Math.max(finish, attempt.endAt);
  }
  const meanLineSeconds = count > 0 ? lineMs / count / 1000 : 0;
  const binding: PacingFigures['binding'] = C < R * meanLineSeconds ? 'lines' : 'rate';
  const K = Math.max(1, Math.ceil(Math.min(R, meanLineSeconds > 0 ? C / meanLineSeconds : R) * input.tickSeconds));

  // One sweep over every change of backlog and of lines in use. At equal times: a line released, then a contact
  // falling due, then a start (which takes a contact off the backlog and a line), so that a line freed and taken
  // at once is never counted twice and a contact started the moment it falls due was in the backlog.
  const RELEASE = 0;
  const DUE = 1;
  const START = 2;
  const events: Array<[number, number]> = [];
  for (const attempt of attempts) events.push([attempt.dueAt, DUE], [attempt.startAt, START], [attempt.endAt, RELEASE]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let backlog = 0;
  let lines = 0;
  let peakLines = 0;
  let saturatedMs = 0;
  let saturatedLineMs = 0;
  let saturatedDials = 0;
  let dueMs = 0;
  let dueLineMs = 0;
  let previous = events[0]?.[0] ?? input.startAt;
  for (const [at, kind] of events) {
    const span = at - previous;
    if (span > 0) {
      if (backlog >= K) {
        saturatedMs += span;
        saturatedLineMs += span * lines;
      }
      if (backlog >= 1) {
        dueMs += span;
        dueLineMs += span * lines;
      }
    }
    previous = at;
    if (kind === RELEASE) lines--;
    else if (kind === DUE) backlog++;
    else {
      // A dial made while at least K contacts (this one included) waited is a dial of saturated time.
      if (backlog >= K) saturatedDials++;
      backlog--;
      lines++;
      peakLines = Math.max(peakLines, lines);
    }
  }
  const utilisation =
    saturatedMs === 0
      ? 0
      : binding === 'lines'
        ? saturatedLineMs / (C * saturatedMs)
        : saturatedDials / ((R * saturatedMs) / 1000);
  const latencies = attempts.map((attempt) => attempt.startAt - attempt.dueAt).sort((a, b) => a - b);
  return {
    attempts: count,
    meanLineSeconds,
    binding,
    saturationBacklog: K,
    makespanSeconds: (finish - input.startAt) / 1000,
    saturatedSeconds: saturatedMs / 1000,
    utilisation,
    naiveBoundSeconds: Math.max((count * meanLineSeconds) / C, count / R),
    dueSeconds: dueMs / 1000,
    lineUtilisationWhileDue: dueMs === 0 ? 0 : dueLineMs / (C * dueMs),
    // Every dial takes a contact off the backlog, so every dial happens while work is due.
    dialRateWhileDue: dueMs === 0 ? 0 : count / (dueMs / 1000),
    latencyP50Ms: quantile(latencies, 0.5),
    latencyP95Ms: quantile(latencies, 0.95),
    peakLines,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
