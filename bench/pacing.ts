/**
 * `npm run bench -- pacing [case…] [--gap <ms>] [--tick <s>] [--seed <n>]`: the engine's own pacing and dispatch
 * (functions/use-cases/dialing/) through in-memory ports on a simulated clock, no I/O, against a simulated Connect
 * whose callees follow issue 14's mix (35 % no answer after a 30 s ring, 10 % busy at 5 s, 50 % answered for
 * 60–180 s, 5 % voicemail), with the demo campaign's retry policy (config/campaigns/demo.yml).
 *
 * Each case is run twice on the same callee draws: by the engine (functions/use-cases/planning/simulate-run.ts)
 * and by the ideal dispatcher (functions/core/planning/ideal-dispatcher.ts). Printed per case, as
 * docs/benchmarks.md defines them: `utilisation` (of the binding resource during saturated time) and `ratio`
 * (the engine's makespan ÷ the ideal's), then the naive bound, use over all the time work was due, and the
 * latency from due to dial.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { inMemorySimulation } from '../functions/adapters/in-memory/simulation.ts';
import { parseCampaign } from '../functions/core/campaign.ts';
import { runIdealDispatcher } from '../functions/core/planning/ideal-dispatcher.ts';
import { defaultOutcomeMix, drawAttempt, meanLineSeconds, prepareMix } from '../functions/core/planning/outcome-mix.ts';
import { type PacingFigures, pacingFigures } from '../functions/core/planning/pacing-figures.ts';
import { runEndsAt } from '../functions/core/run-clock.ts';
import { simulatedPhone, simulateRun } from '../functions/use-cases/planning/simulate-run.ts';

interface PacingCase {
  name: string;
  lines: number;
  rate: number;
  contacts: number;
}

/** Issue 14, part 6: the seed scale, ten times it, and a case whose lines bind (C < R·d̄ ≈ 14 × 72 s). */
export const CASES: readonly PacingCase[] = [
  { name: 'seed', lines: 2_700, rate: 14, contacts: 50_000 },
  { name: '10x', lines: 27_000, rate: 140, contacts: 500_000 },
  { name: 'lines-bound', lines: 700, rate: 14, contacts: 50_000 },
];

const DATE = '2026-03-02';
const START = new Date('2026-03-02T07:00:00Z');

function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} needs a number ≥ 0, got "${args[index + 1]}"`);
  return value;
}

export async function run(args: readonly string[]): Promise<void> {
  const gapMs = option(args, '--gap', 400);
  const tickSeconds = option(args, '--tick', 5);
  const seed = option(args, '--seed', 1);
  const wanted = args.filter((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));
  const cases = wanted.length === 0 ? CASES : CASES.filter((entry) => wanted.includes(entry.name));
  const campaign = parseCampaign(parse(readFileSync('config/campaigns/demo.yml', 'utf8')), 'config/campaigns/demo.yml');
  const mix = prepareMix(defaultOutcomeMix(campaign.run.ringTimeoutSeconds));
  console.info(
    `pacing bench: demo retry policy, mix d̄ = ${meanLineSeconds(mix).toFixed(1)} s, tick ${tickSeconds} s, ` +
      `tick-to-tick gap ${gapMs} ms, seed ${seed}`,
  );
  for (const entry of cases) {
    const caps = {
      maxConcurrentCalls: entry.lines,
      dialsPerSecond: entry.rate,
      dialBurst: Math.max(5, entry.rate),
      tickSeconds,
    };
    const wallStart = performance.now();
    const engine = await simulateRun(inMemorySimulation, {
      campaign,
      date: DATE,
      startAt: START,
      contacts: [{ timeZone: campaign.timeZone, count: entry.contacts }],
      caps,
      tickGapMs: gapMs,
      continueAsNewMs: 1_000,
      mix,
      seed,
    });
    const engineWall = performance.now() - wallStart;
    const idealStart = performance.now();
    const ideal = runIdealDispatcher({
      contacts: Array.from({ length: entry.contacts }, (_, index) => ({
        id: simulatedPhone(index),
        timeZone: campaign.timeZone,
        dueAt: START.getTime(),
      })),
      draw: (contact, attempt) => drawAttempt(mix, seed, contact, attempt),
      campaign,
      caps,
      startAt: START.getTime(),
      endAt: runEndsAt(DATE).getTime(),
    });
    const idealWall = performance.now() - idealStart;
    const figures = pacingFigures(engine.attempts, { startAt: START.getTime(), ...caps });
    const reference = pacingFigures(ideal.attempts, { startAt: START.getTime(), ...caps });
    print(entry, caps, figures, reference, {
      ticks: engine.ticks,
      refused: engine.refused.concurrency + engine.refused.rate,
      engineWall,
      idealWall,
    });
  }
}

function print(
  entry: PacingCase,
  caps: { maxConcurrentCalls: number; dialsPerSecond: number; dialBurst: number },
  engine: PacingFigures,
  ideal: PacingFigures,
  extra: { ticks: number; refused: number; engineWall: number; idealWall: number },
): void {
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const seconds = (value: number) => `${value.toFixed(0)} s`;
  console.info(
    [
      ``,
      `${entry.name}: C=${caps.maxConcurrentCalls} lines, R=${caps.dialsPerSecond}/s (burst ${caps.dialBurst}), N=${entry.contacts} contacts`,
      `  utilisation ${percent(engine.utilisation)}`,
      `  ratio ${(engine.makespanSeconds / ideal.makespanSeconds).toFixed(3)}`,
      `  binding ${engine.binding}; A=${engine.attempts} attempts (ideal ${ideal.attempts}), d̄=${engine.meanLineSeconds.toFixed(1)} s, K=${engine.saturationBacklog}`,
      `  makespan ${seconds(engine.makespanSeconds)} (ideal ${seconds(ideal.makespanSeconds)}); naive bound ${seconds(engine.naiveBoundSeconds)}, makespan ÷ naive bound ${(engine.makespanSeconds / engine.naiveBoundSeconds).toFixed(3)} (ideal ${(ideal.makespanSeconds / ideal.naiveBoundSeconds).toFixed(3)})`,
      `  saturated ${seconds(engine.saturatedSeconds)} (ideal ${seconds(ideal.saturatedSeconds)}); ideal's utilisation ${percent(ideal.utilisation)}`,
      `  while work was due (${seconds(engine.dueSeconds)}): lines ${percent(engine.lineUtilisationWhileDue)}, ${engine.dialRateWhileDue.toFixed(2)} dials/s (ideal ${seconds(ideal.dueSeconds)}: ${percent(ideal.lineUtilisationWhileDue)}, ${ideal.dialRateWhileDue.toFixed(2)} dials/s)`,
      `  due → dial p50 ${(engine.latencyP50Ms / 1000).toFixed(2)} s, p95 ${(engine.latencyP95Ms / 1000).toFixed(2)} s (ideal p50 ${(ideal.latencyP50Ms / 1000).toFixed(2)} s, p95 ${(ideal.latencyP95Ms / 1000).toFixed(2)} s)`,
      `  peak lines ${engine.peakLines} (ideal ${ideal.peakLines}); Connect refusals ${extra.refused}; ${extra.ticks} ticks`,
      `  simulated in ${(extra.engineWall / 1000).toFixed(1)} s (ideal ${(extra.idealWall / 1000).toFixed(1)} s)`,
    ].join('\n'),
  );
}
