/**
 * The Connect simulator's callees for a rehearsal, from the plan's assumptions: the outcome mix's shares become the
 * callee outcomes, its ring and busy times their durations, and the speed of the contact flow's speech is set so that
 * an answered call lasts, on average, the mix's talk time. Answered calls run the real contact flow, so their length
 * also depends on the script's branching and on the flow Lambdas' latency: part of what the rehearsal measures. An
 * answering machine hangs up when the mix's voicemail line time is over.
 */
import type { Campaign } from '../../functions/core/campaign.ts';
import { meanSeconds, type OutcomeMix, type SecondsDistribution } from '../../functions/core/planning/outcome-mix.ts';
import type { ScenarioInput } from '../../local/connect-simulator/scenario.ts';

/** The simulator's key press delay (its default `keypad.responseMs`, 0.8–4 s): 2.4 s per question on average. */
const KEY_RESPONSE_SECONDS = 2.4;

const milliseconds = (distribution: SecondsDistribution): number | { min: number; max: number } => {
  if (typeof distribution === 'number') return Math.round(distribution * 1000);
  if ('samples' in distribution) {
    const sorted = [...distribution.samples].sort((a, b) => a - b);
    return { min: Math.round((sorted[0] ?? 0) * 1000), max: Math.round((sorted.at(-1) ?? 0) * 1000) };
  }
  return { min: Math.round(distribution.min * 1000), max: Math.round(distribution.max * 1000) };
};

/** A line time less the mean ring before it, in ms (never below zero). */
function afterRing(line: SecondsDistribution, ring: SecondsDistribution): number | { min: number; max: number } {
  const ringMs = meanSeconds(ring) * 1000;
  const range = milliseconds(line);
  if (typeof range === 'number') return Math.max(0, Math.round(range - ringMs));
  return { min: Math.max(0, Math.round(range.min - ringMs)), max: Math.max(0, Math.round(range.max - ringMs)) };
}

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** A scenario whose callees behave as `mix` assumes, run `timeScale` times faster. */
export function scenarioFor(mix: OutcomeMix, campaign: Campaign, timeScale: number, seed: number): ScenarioInput {
  const share = (outcome: keyof OutcomeMix) => mix[outcome]?.share ?? 0;
  const answered = mix.COMPLETED ?? mix.PARTIAL;
  const ring = answered?.ringSeconds ?? 5;
  const talkSeconds = answered === undefined ? 30 : Math.max(1, meanSeconds(answered.lineSeconds) - meanSeconds(ring));
  const { script } = campaign;
  // Every question asked (the script's branching may skip some: part of the error the rehearsal measures).
  const spoken =
    words(script.greeting) +
    script.questions.reduce((sum, question) => sum + words(question.prompt), 0) +
    words(script.closing);
  const speaking = Math.max(1, talkSeconds - KEY_RESPONSE_SECONDS * script.questions.length);
  return {
    seed,
    timeScale,
    outcomes: {
      ANSWERED: share('COMPLETED') + share('PARTIAL') + share('OPTED_OUT'),
      NO_ANSWER: share('NO_ANSWER'),
      BUSY: share('BUSY'),
      VOICEMAIL: share('VOICEMAIL'),
      INVALID_NUMBER: share('INVALID_NUMBER'),
      FAILED: share('FAILED') + share('UNKNOWN'),
    },
    ringMs: milliseconds(ring),
    ...(mix.BUSY !== undefined && { busyMs: milliseconds(mix.BUSY.lineSeconds) }),
    // Without AMD the flow cannot tell a machine from a silent person and would wait out every question: the
    // machine hangs up when the mix's voicemail line time (ring included) is over, as a real one stops recording.
    ...(mix.VOICEMAIL !== undefined && {
      voicemailMs: afterRing(mix.VOICEMAIL.lineSeconds, mix.VOICEMAIL.ringSeconds ?? ring),
    }),
    hangUpProbability: 0,
    speechMsPerWord: Math.round((speaking * 1000) / Math.max(1, spoken)),
    keypad: { invalidKeyProbability: 0, silenceProbability: 0 },
  };
}

/** The mix as the rehearsal's compressed time sees it: every duration `timeScale` times shorter. */
export function compressedMix(mix: OutcomeMix, timeScale: number): OutcomeMix {
  const scale = (distribution: SecondsDistribution): SecondsDistribution => {
    if (typeof distribution === 'number') return distribution * timeScale;
    if ('samples' in distribution) return { samples: distribution.samples.map((value) => value * timeScale) };
    return { min: distribution.min * timeScale, max: distribution.max * timeScale };
  };
  return Object.fromEntries(
    Object.entries(mix).map(([outcome, entry]) => [
      outcome,
      entry === undefined
        ? entry
        : {
            share: entry.share,
            lineSeconds: scale(entry.lineSeconds),
            ...(entry.ringSeconds !== undefined && { ringSeconds: scale(entry.ringSeconds) }),
          },
    ]),
  );
}
