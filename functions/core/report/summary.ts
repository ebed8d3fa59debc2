/**
 * The run report (`GET /campaigns/{campaignId}/reports/{date}`), built only from the run item's
 * incrementally maintained counters and the campaign's question labels: its cost does not grow
 * with the list. Pure: no AWS SDK here.
 *
 * Counters (docs/data-model.md): `n_<STATUS>` contacts per status, `o_<OUTCOME>` attempt outcomes,
 * `t_<n>` contacts finished after n attempts, `a_<questionId>_<key>` answers, `contacts`,
 * `talkSeconds`, `answeredCalls`, `attemptsStarted`, `attemptsEnded`, `answersTotal`, `contactsReached`.
 */

/** The numeric attributes of one run item (or their sum over several runs). */
export type RunCounters = Readonly<Record<string, number>>;

/** What the report needs of a campaign question. */
export interface ReportQuestion {
  id: string;
  prompt: string;
  keys: Readonly<Record<string, string>>;
}

export interface FollowUpCounts {
  sent: number;
  failed: number;
}

export interface AnswerShare {
  key: string;
  label: string;
  count: number;
  /** Share of this question's answers, 0…1 (4 decimals). */
  share: number;
}

export interface QuestionReport {
  id: string;
  prompt: string;
  answered: number;
  answers: AnswerShare[];
}

export interface RunSummary {
  contacts: { total: number; finished: number; waiting: number; byStatus: Record<string, number> };
  outcomes: Record<string, number>;
  attempts: {
    started: number;
    ended: number;
    /** Contacts finished after n attempts, by n. */
    distribution: Record<string, number>;
    meanPerFinishedContact: number;
  };
  /**
   * Contacts a person picked up for at least once (an attempt ended COMPLETED, PARTIAL, OPTED_OUT or TRANSFERRED,
   * even if a later retry was not answered) / contacts.
   */
  reachRate: number;
  /** Contacts that answered every question (COMPLETED) / contacts. */
  completionRate: number;
  /** Mean talk time of answered calls, seconds. */
  meanCallSeconds: number;
  answersTotal: number;
  questions: QuestionReport[];
  optOuts: number;
  /** Contacts handed to a person (`script.transfer`): final status TRANSFERRED. */
  transfers: number;
  followUps: FollowUpCounts;
}

/** Statuses a contact can still leave. */
const WAITING_STATUSES = new Set(['PENDING', 'DIALING']);
/** Attempt outcomes, and final statuses, that mean a person picked up. */
export const REACHED_STATUSES = ['COMPLETED', 'PARTIAL', 'OPTED_OUT', 'TRANSFERRED'] as const;
const REACHED = new Set<string>(REACHED_STATUSES);

/**
 * Whether an attempt that ended `outcome` is the first time a person picked up for this contact,
 * given the outcomes of its earlier attempts: the attempt that bumps `contactsReached`.
 */
export function isFirstReach(outcome: string, earlierOutcomes: ReadonlyArray<string | undefined>): boolean {
  return REACHED.has(outcome) && !earlierOutcomes.some((earlier) => earlier !== undefined && REACHED.has(earlier));
}
const ANSWER_COUNTER = /^a_([a-z][a-z0-9_]*)_(.)$/;

const ratio = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

function prefixed(counters: RunCounters, prefix: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters)) {
    if (name.startsWith(prefix) && value !== 0) result[name.slice(prefix.length)] = value;
  }
  return result;
}

/** Adds counters of several runs together (the report across days). */
export function sumCounters(runs: readonly RunCounters[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const run of runs) {
    for (const [name, value] of Object.entries(run)) total[name] = (total[name] ?? 0) + value;
  }
  return total;
}

/**
 * Builds the summary from counters. Answer keys the campaign no longer lists are kept, labelled by
 * their key; questions nobody answered are listed with zero counts.
 */
export function buildRunSummary(counters: RunCounters, questions: readonly ReportQuestion[]): RunSummary {
  const byStatus = prefixed(counters, 'n_');
  const statusTotal = Object.values(byStatus).reduce((sum, value) => sum + value, 0);
  const total = Math.max(counters.contacts ?? 0, statusTotal);
  const waiting = Object.entries(byStatus)
    .filter(([status]) => WAITING_STATUSES.has(status))
    .reduce((sum, [, value]) => sum + value, 0);
  const finished = statusTotal - waiting;
  const distribution = prefixed(counters, 't_');
  const attemptsOfFinished = Object.entries(distribution).reduce((sum, [n, value]) => sum + Number(n) * value, 0);
  const finishedCounted = Object.values(distribution).reduce((sum, value) => sum + value, 0);
  // `contactsReached` counts every contact once, at its first answered attempt; a contact that ended
  // in a reached status was reached, so that sum is a floor (runs begun before the counter existed).
  const reachedByStatus = REACHED_STATUSES.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
  const reached = Math.max(counters.contactsReached ?? 0, reachedByStatus);

  const answerCounts = new Map<string, Map<string, number>>();
  for (const [name, value] of Object.entries(counters)) {
    const match = ANSWER_COUNTER.exec(name);
    if (match === null || value === 0) continue;
    const [, questionId = '', key = ''] = match;
    const keys = answerCounts.get(questionId) ?? new Map<string, number>();
    keys.set(key, value);
    answerCounts.set(questionId, keys);
  }
  const reports: QuestionReport[] = questions.map((question) => {
    const counted = answerCounts.get(question.id) ?? new Map<string, number>();
    answerCounts.delete(question.id);
    return questionReport(question.id, question.prompt, question.keys, counted);
  });
  for (const [questionId, counted] of answerCounts) reports.push(questionReport(questionId, '', {}, counted));

  return {
    contacts: { total, finished, waiting, byStatus },
    outcomes: prefixed(counters, 'o_'),
    attempts: {
      started: counters.attemptsStarted ?? 0,
      ended: counters.attemptsEnded ?? 0,
      distribution,
      meanPerFinishedContact: finishedCounted > 0 ? Math.round((attemptsOfFinished / finishedCounted) * 100) / 100 : 0,
    },
    reachRate: ratio(reached, total),
    completionRate: ratio(byStatus.COMPLETED ?? 0, total),
    meanCallSeconds:
      (counters.answeredCalls ?? 0) > 0
        ? Math.round(((counters.talkSeconds ?? 0) / (counters.answeredCalls ?? 1)) * 10) / 10
        : 0,
    answersTotal: counters.answersTotal ?? 0,
    questions: reports,
    optOuts: byStatus.OPTED_OUT ?? 0,
    transfers: byStatus.TRANSFERRED ?? 0,
    followUps: { sent: counters.followUpsSent ?? 0, failed: counters.followUpsFailed ?? 0 },
  };
}

function questionReport(
  id: string,
  prompt: string,
  labels: Readonly<Record<string, string>>,
  counted: ReadonlyMap<string, number>,
): QuestionReport {
  const answered = [...counted.values()].reduce((sum, value) => sum + value, 0);
  const keys = [...new Set([...Object.keys(labels), ...counted.keys()])];
  return {
    id,
    prompt,
    answered,
    answers: keys.map((key) => {
      const count = counted.get(key) ?? 0;
      return { key, label: labels[key] ?? key, count, share: ratio(count, answered) };
    }),
  };
}

/** Longest range `GET /campaigns/{campaignId}/reports?from=&to=` accepts, in days (inclusive). */
export const MAX_REPORT_RANGE_DAYS = 92;

/** The dates from `from` to `to` inclusive (`YYYY-MM-DD`), or a problem naming the parameter. */
export function reportDates(
  from: string,
  to: string,
): { dates: string[] } | { problem: { path: string; message: string } } {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (end < start) return { problem: { path: 'query.to', message: `must not be before from (${from})` } };
  const days = Math.round((end - start) / 86_400_000) + 1;
  if (days > MAX_REPORT_RANGE_DAYS)
    return { problem: { path: 'query.to', message: `range is ${days} days; at most ${MAX_REPORT_RANGE_DAYS}` } };
  return {
    dates: Array.from({ length: days }, (_, index) => new Date(start + index * 86_400_000).toISOString().slice(0, 10)),
  };
}
