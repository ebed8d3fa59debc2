/**
 * Follow-up instructions (campaign `followUps`): which SMS a contact gets after a call, decided
 * from their answers alone. Pure; sending and "once per contact" live in the events layer.
 */
import type { FollowUp } from './campaign.ts';

/**
 * The rules a contact's answers satisfy, in definition order. A rule matches when every question
 * it lists was answered with one of the keys listed for it; a rule listing no question never
 * matches (it would text everybody, which a campaign must say explicitly in a later version).
 */
export function matchingFollowUps(
  rules: ReadonlyArray<FollowUp>,
  answers: Readonly<Record<string, string | undefined>>,
): FollowUp[] {
  return rules.filter((rule) => {
    const conditions = Object.entries(rule.when);
    return (
      conditions.length > 0 &&
      conditions.every(([questionId, keys]) => {
        const answer = answers[questionId];
        return answer !== undefined && keys.includes(answer);
      })
    );
  });
}
