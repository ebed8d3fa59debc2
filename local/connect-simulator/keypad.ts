/**
 * What a simulated callee does when the flow waits for a key: press a valid key (by the
 * scenario's weights for that question), press a key the question does not accept, or stay
 * silent. Seeded per call, so a scenario seed reproduces every press.
 */
import { pickOne, pickWeighted, type Random, sampleDuration } from './random.ts';
import type { Keypad } from './scenario.ts';

/** The keypad keys a person may press by mistake (`#` ends the input in Connect, so it is not one of them). */
const ALL_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*'] as const;

export type KeypadAction = { kind: 'PRESS'; key: string; afterMs: number; invalid: boolean } | { kind: 'SILENCE' };

/** What the callee knows about the input being asked for. */
export interface KeypadQuestion {
  /** The question's id, as the flow announces it (`$.External.questionId`); undefined for other inputs. */
  questionId: string | undefined;
  /** Keys the question accepts (`$.External.validKeys`), for the default answer distribution. */
  validKeys: ReadonlyArray<string>;
}

/**
 * Decides one input. Every call consumes the same number of draws, in a fixed order (silence,
 * invalid, key, wrong key, delay), so one decision never shifts the next.
 */
export function decideKeypress(keypad: Keypad, random: Random, question: KeypadQuestion): KeypadAction {
  const settings = question.questionId === undefined ? undefined : keypad.questions[question.questionId];
  const silent = random() < (settings?.silenceProbability ?? keypad.silenceProbability);
  const invalid = random() < (settings?.invalidKeyProbability ?? keypad.invalidKeyProbability);
  const weights = Object.entries(settings?.keys ?? Object.fromEntries(question.validKeys.map((key) => [key, 1])));
  const hasWeights = weights.some(([, weight]) => weight > 0);
  const keyDraw = random();
  const chosen = hasWeights ? pickWeighted(() => keyDraw, weights) : undefined;
  const wrongKeys = ALL_KEYS.filter(
    (key) => !question.validKeys.includes(key) && !weights.some(([weighted]) => weighted === key),
  );
  const [firstWrong, ...otherWrong] = wrongKeys;
  const wrongDraw = random();
  const wrong = firstWrong === undefined ? undefined : pickOne(() => wrongDraw, [firstWrong, ...otherWrong]);
  const afterMs = sampleDuration(random, keypad.responseMs);
  if (silent) return { kind: 'SILENCE' };
  if (invalid && wrong !== undefined) return { kind: 'PRESS', key: wrong, afterMs, invalid: true };
  if (chosen === undefined) return { kind: 'SILENCE' };
  return { kind: 'PRESS', key: chosen, afterMs, invalid: !question.validKeys.includes(chosen) };
}
