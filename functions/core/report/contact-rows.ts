/**
 * The per-contact export: columns and one row per contact, as plain strings. Pure; the CSV
 * encoding neutralises formula-like cells (`= + - @`) with the import's `escapeCsvCell`, which leaves exact E.164
 * phone numbers as they are.
 */
import { DateTime } from 'luxon';
import { escapeCsvCell } from '../import/rejected-csv.ts';
import type { ReportQuestion } from './summary.ts';

/** What the export needs of a contact (the run store's contact record fits). */
export interface ExportContact {
  phone: string;
  status: string;
  attempts: number;
  attemptLog: ReadonlyArray<{ n: number; at: string; outcome?: string }>;
  timeZone: string;
  name?: string;
  externalId?: string;
  attributes: Readonly<Record<string, string>>;
  answers: Readonly<Record<string, string>>;
  flow?: { optedOut: boolean };
}

/** `?answer=q1:2`: only contacts whose latest answer to q1 is key 2 (several, comma-separated, all must match). */
export interface AnswerFilter {
  questionId: string;
  key: string;
}

const ANSWER_FILTER = /^([a-z][a-z0-9_]{0,31}):([0-9*#])$/;

/** Parses `q1:2,q2:1`; undefined when a part is malformed. */
export function parseAnswerFilter(value: string): AnswerFilter[] | undefined {
  const filters: AnswerFilter[] = [];
  for (const part of value.split(',')) {
    const match = ANSWER_FILTER.exec(part.trim());
    if (match === null) return undefined;
    filters.push({ questionId: match[1] ?? '', key: match[2] ?? '' });
  }
  return filters;
}

export function matchesAnswers(contact: Pick<ExportContact, 'answers'>, filters: readonly AnswerFilter[]): boolean {
  return filters.every((filter) => contact.answers[filter.questionId] === filter.key);
}

/** The export's columns: fixed ones, the list's extra columns, one per question, then the rest. */
export function exportColumns(extraColumns: readonly string[], questions: readonly ReportQuestion[]): string[] {
  return [
    'phone',
    'external_id',
    'name',
    ...extraColumns,
    'status',
    'attempts',
    'attempt_log',
    ...questions.map((question) => `answer_${question.id}`),
    'opted_out',
    'follow_ups',
    'other_attributes',
  ];
}

/** An attempt as the callee lived it: `1 2026-11-22 10:01:02 +01:00 NO_ANSWER`. */
export function formatAttempt(entry: { n: number; at: string; outcome?: string }, timeZone: string): string {
  const local = DateTime.fromISO(entry.at, { zone: timeZone });
  const time = local.isValid ? local.toFormat('yyyy-MM-dd HH:mm:ss ZZ') : entry.at;
  return `${entry.n} ${time} ${entry.outcome ?? 'IN_PROGRESS'}`;
}

/** One contact's cells, in the order of {@link exportColumns}. */
export function contactRow(
  contact: ExportContact,
  extraColumns: readonly string[],
  questions: readonly ReportQuestion[],
  followUps: readonly string[],
): string[] {
  const extra = new Set(extraColumns);
  const others = Object.fromEntries(Object.entries(contact.attributes).filter(([key]) => !extra.has(key)));
  return [
    contact.phone,
    contact.externalId ?? '',
    contact.name ?? '',
    ...extraColumns.map((column) => contact.attributes[column] ?? ''),
    contact.status,
    String(contact.attempts),
    contact.attemptLog.map((entry) => formatAttempt(entry, contact.timeZone)).join('; '),
    ...questions.map((question) => {
      const key = contact.answers[question.id];
      return key === undefined ? '' : (question.keys[key] ?? key);
    }),
    contact.status === 'OPTED_OUT' || contact.flow?.optedOut === true ? 'yes' : 'no',
    followUps.join('; '),
    Object.keys(others).length > 0 ? JSON.stringify(others) : '',
  ];
}

/** UTF-8 byte order mark: Excel reads the file as UTF-8 only with it. */
export const UTF8_BOM = '\uFEFF';

/** One CSV line (CRLF), every cell escaped against formula injection. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map((cell) => escapeCsvCell(cell)).join(',')}\r\n`;
}
