/**
 * The named analyses: their parameters (validated with zod), the SQL each one runs over the fact views, and the
 * table it answers with (shares, small cells suppressed). Pure: the use case runs the SQL on Athena (or the local
 * DuckDB) and hands the rows back here.
 *
 * Every query is written in the SQL that Athena (Trino) and DuckDB share (docs/analytics.md, "SQL subset"), returns
 * the same columns (`part, day, g1, g1_label, g2, g2_label, item, item_label, n1, n2, n3`) and counts rows only:
 * each measure that counts contacts counts a row that exists once per contact (a contact's first reach, its first
 * call, its finished status, its latest answer to a question), so no query groups by contact.
 */
import { z } from 'zod';
import { DIMENSION_SLOTS } from './fact-tables.ts';
import { latestAnswersSql, newestSnapshotsSql, weightedLatestAnswersSql } from './views.ts';

export const ANALYSIS_NAMES = [
  'outcomes',
  'answers',
  'crosstab',
  'reach-by-attempt',
  'hours',
  'funnel',
  'trend',
  'follow-ups',
] as const;
export type AnalysisName = (typeof ANALYSIS_NAMES)[number];
/** What `trend` can follow per day. */
export const TREND_OF = ANALYSIS_NAMES.filter((name) => name !== 'trend');

/** The longest date range of one analysis, as the range report allows. */
export const MAX_ANALYSIS_DAYS = 92;
export const MAX_ANALYSIS_CAMPAIGNS = 10;
/** Names of grouping columns that are not list columns. */
export const HOUR = 'hour';
export const WEEKDAY = 'weekday';

const campaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a campaign id');
const name = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a dimension, a question id, hour or weekday');
const list = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
    : value;

/** `clinic:Wola|Praga`: the contacts whose clinic is one of these. */
const DimensionFilterSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}:[^|]{1,64}(\|[^|]{1,64}){0,19}$/, 'dimension:value or dimension:value1|value2')
  .transform((value) => {
    const colon = value.indexOf(':');
    return { dimension: value.slice(0, colon), values: value.slice(colon + 1).split('|') };
  });
/** `q1:2`: the contacts whose latest answer to q1 is 2. */
const AnswerFilterSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}:[0-9*#]$/, 'question:key, e.g. q1:2')
  .transform((value) => ({ questionId: value.slice(0, value.indexOf(':')), key: value.slice(-1) }));

/**
 * The parameters of an analysis, as the API's query string gives them (lists comma-separated, or repeated):
 * `campaign`, `from`/`to` or `date`, `by` (at most two), `question`, `of` (trend), `filter`, `answer`.
 */
export const AnalysisParametersSchema = z
  .object({
    campaign: z.preprocess(list, z.array(campaignId).min(1).max(MAX_ANALYSIS_CAMPAIGNS)),
    date: z.iso.date().optional(),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    by: z.preprocess(list, z.array(name).max(2, 'at most two groupings')).default([]),
    question: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a question id')
      .optional(),
    of: z.enum(TREND_OF).optional(),
    filter: z.preprocess(list, z.array(DimensionFilterSchema).max(4)).default([]),
    answer: z.preprocess(list, z.array(AnswerFilterSchema).max(4)).default([]),
  })
  .superRefine((value, context) => {
    if (value.date !== undefined && (value.from !== undefined || value.to !== undefined)) {
      context.addIssue({ code: 'custom', path: ['date'], message: 'give date, or from and to, not both' });
    }
    if (value.date === undefined && (value.from === undefined || value.to === undefined)) {
      context.addIssue({ code: 'custom', path: ['from'], message: 'give date, or both from and to' });
    }
    const from = value.date ?? value.from;
    const to = value.date ?? value.to;
    if (from !== undefined && to !== undefined) {
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
      if (days < 1) context.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' });
      if (days > MAX_ANALYSIS_DAYS) {
        context.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_ANALYSIS_DAYS} days` });
      }
    }
    if (new Set(value.by).size !== value.by.length) {
      context.addIssue({ code: 'custom', path: ['by'], message: 'the same grouping twice' });
    }
  });
export type AnalysisParameters = z.infer<typeof AnalysisParametersSchema>;

/** What an analysis needs to know of a campaign: its questions (in script order), keys and dimensions. */
export interface AnalysisCampaign {
  id: string;
  questions: ReadonlyArray<{ id: string; keys: Readonly<Record<string, string>> }>;
  dimensions: readonly string[];
}

export type Grouping =
  | { kind: 'dimension'; name: string }
  | { kind: 'question'; id: string }
  | { kind: 'hour' }
  | { kind: 'weekday' };

/** An analysis with its parameters checked against the campaigns. */
export interface ResolvedAnalysis {
  analysis: AnalysisName;
  /** For trend: the analysis followed per day; else the analysis itself. */
  base: Exclude<AnalysisName, 'trend'>;
  perDay: boolean;
  campaigns: string[];
  from: string;
  to: string;
  groups: Grouping[];
  question?: string;
  /** Questions in script order (the first campaign's order, then any others). */
  questions: string[];
  filters: Array<{ dimension: string; values: string[] }>;
  answers: Array<{ questionId: string; key: string }>;
}

export interface AnalysisProblem {
  path: string;
  message: string;
}

/** Which groupings each analysis takes. */
const GROUPINGS: Readonly<Record<Exclude<AnalysisName, 'trend'>, ReadonlyArray<Grouping['kind']>>> = {
  outcomes: ['dimension', 'question', 'hour', 'weekday'],
  answers: ['dimension'],
  crosstab: ['dimension', 'question'],
  'reach-by-attempt': ['dimension', 'question'],
  hours: ['dimension'],
  funnel: ['dimension'],
  'follow-ups': ['dimension', 'question'],
};

/**
 * Checks the parameters against the campaigns (questions and dimensions exist, the analysis takes these groupings)
 * and resolves each `by` name: `hour`, `weekday`, a question id of a campaign, else a declared dimension.
 */
export function resolveAnalysis(
  analysis: AnalysisName,
  parameters: AnalysisParameters,
  campaigns: readonly AnalysisCampaign[],
): ResolvedAnalysis | { problems: AnalysisProblem[] } {
  const problems: AnalysisProblem[] = [];
  const base = analysis === 'trend' ? (parameters.of ?? 'outcomes') : analysis;
  if (analysis !== 'trend' && parameters.of !== undefined) {
    problems.push({ path: 'query.of', message: 'only trend follows another analysis' });
  }
  const questions = [...new Set(campaigns.flatMap((campaign) => campaign.questions.map((question) => question.id)))];
  const dimensions = new Set(campaigns.flatMap((campaign) => campaign.dimensions));
  const groups: Grouping[] = parameters.by.map((by): Grouping => {
    if (by === HOUR) return { kind: 'hour' };
    if (by === WEEKDAY) return { kind: 'weekday' };
    if (questions.includes(by)) return { kind: 'question', id: by };
    return { kind: 'dimension', name: by };
  });
  groups.forEach((group, index) => {
    if (group.kind === 'dimension' && !dimensions.has(group.name)) {
      problems.push({
        path: `query.by.${index}`,
        message: `"${group.name}" is neither hour, weekday, a question nor a dimension of ${parameters.campaign.join(', ')} (dimensions: ${[...dimensions].join(', ') || 'none declared'}; questions: ${questions.join(', ')})`,
      });
    } else if (!GROUPINGS[base].includes(group.kind)) {
      problems.push({
        path: `query.by.${index}`,
        message: `${base} cannot be grouped by ${group.kind === 'dimension' ? 'a dimension' : group.kind === 'question' ? 'a question' : group.kind}`,
      });
    }
  });
  const needsQuestion = base === 'answers' || base === 'crosstab';
  if (needsQuestion && parameters.question === undefined) {
    problems.push({ path: 'query.question', message: `${base} needs a question` });
  }
  if (parameters.question !== undefined && !questions.includes(parameters.question)) {
    problems.push({
      path: 'query.question',
      message: `no question "${parameters.question}" (questions: ${questions.join(', ')})`,
    });
  }
  if (parameters.question !== undefined && !needsQuestion) {
    problems.push({ path: 'query.question', message: `${base} takes no question (group by one with by)` });
  }
  if (base === 'crosstab' && groups.length !== 1) {
    problems.push({ path: 'query.by', message: 'crosstab crosses the question with one other question or dimension' });
  }
  if (base === 'crosstab' && groups[0]?.kind === 'question' && groups[0].id === parameters.question) {
    problems.push({ path: 'query.by', message: 'cross the question with another one' });
  }
  parameters.filter.forEach((filter, index) => {
    if (!dimensions.has(filter.dimension)) {
      problems.push({
        path: `query.filter.${index}`,
        message: `"${filter.dimension}" is not a dimension of these campaigns`,
      });
    }
  });
  parameters.answer.forEach((filter, index) => {
    if (!questions.includes(filter.questionId)) {
      problems.push({ path: `query.answer.${index}`, message: `no question "${filter.questionId}"` });
    }
  });
  if (problems.length > 0) return { problems };
  return {
    analysis,
    base,
    perDay: analysis === 'trend',
    campaigns: parameters.campaign,
    from: parameters.date ?? parameters.from ?? '',
    to: parameters.date ?? parameters.to ?? '',
    groups,
    question: parameters.question,
    questions,
    filters: parameters.filter,
    answers: parameters.answer,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// SQL

/** A string literal (the one quoting rule of both engines: a quote is doubled). */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

const partition = (alias: string, analysis: ResolvedAnalysis): string =>
  `${alias}.campaign IN (${analysis.campaigns.map(sqlString).join(', ')}) AND ${alias}.run_date BETWEEN ${sqlString(analysis.from)} AND ${sqlString(analysis.to)}`;

/** A dimension's value on a row: from whichever slot holds it. */
export function dimensionValue(alias: string, dimension: string): string {
  const slots = Array.from(
    { length: DIMENSION_SLOTS },
    (_, index) => `WHEN ${alias}.dim${index + 1}_name = ${sqlString(dimension)} THEN ${alias}.dim${index + 1}`,
  );
  return `CASE ${slots.join(' ')} END`;
}

const latestName = (questionId: string): string => `latest_${questionId}`;

/**
 * Each contact's latest answer to a question: the SQL of the view `latest_answers` (one row per contact and
 * question), with the analysis' partitions and question on every scan inside it, so none reads other partitions.
 */
function latestAnswers(questionId: string, analysis: ResolvedAnalysis): string {
  const latest = latestAnswersSql(undefined, {
    partition: (alias) => partition(alias, analysis),
    questionIds: [questionId],
  });
  return [
    `${latestName(questionId)} AS (`,
    '  SELECT a.campaign, a.run_date, a.contact_key, a.answer_key, a.label,',
    `    ${Array.from({ length: DIMENSION_SLOTS }, (_, index) => `a.dim${index + 1}_name, a.dim${index + 1}`).join(', ')}`,
    `  FROM (\n${latest}\n  ) a`,
    ')',
  ].join('\n');
}

const NEWEST = 'newest_snapshots';
/** Questions of weighted latest answers: some, or every question (`all`, for a part that groups by question). */
type WeightedQuestions = readonly string[] | 'all';
const weightedName = (questions: WeightedQuestions): string =>
  `weighted_${questions === 'all' ? 'all' : questions.join('_')}`;

/**
 * Latest answers of these questions as weighted rows (core/analytics/views.ts, weightedLatestAnswersSql), with the
 * analysis' partitions (and questions) on every scan inside.
 */
function weightedAnswers(questions: WeightedQuestions, analysis: ResolvedAnalysis): string {
  const scope = {
    partition: (alias: string) => partition(alias, analysis),
    ...(questions === 'all' ? {} : { questionIds: questions }),
  };
  return `${weightedName(questions)} AS (\n${weightedLatestAnswersSql(scope, NEWEST)}\n)`;
}

/**
 * What a part counts: fact rows of a view (one per fact), or latest answers of these questions as weighted rows
 * (counted with `sum(weight)`, the newest snapshot's groups kept after grouping).
 */
type Subject = 'attempts' | 'contacts' | 'follow_ups' | { weighted: WeightedQuestions };

interface PartSpec {
  part: string;
  subject: Subject;
  /** Extra condition on the subject rows (not on weighted answers). */
  where?: string;
  item: string;
  /** The item is a literal: not a grouping key. */
  constantItem?: boolean;
  itemLabel?: string;
  n1: string;
  n2?: string;
  n3?: string;
  /** Groupings this part can take (the others are NULL in its rows). */
  groups: readonly Grouping[];
}

const NULL_TEXT = 'CAST(NULL AS VARCHAR)';
const ones = (condition: string) => `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

function groupExpression(group: Grouping, subject: Subject, index: number): { value: string; label: string } {
  const alias = 's';
  switch (group.kind) {
    case 'dimension':
      return { value: dimensionValue(alias, group.name), label: NULL_TEXT };
    case 'question':
      return { value: `g${index}.answer_key`, label: `max(g${index}.label)` };
    case 'hour':
      return {
        value: `CAST(${alias}.${subject === 'contacts' ? 'first_called_hour' : 'local_hour'} AS VARCHAR)`,
        label: NULL_TEXT,
      };
    case 'weekday':
      return {
        value: `CAST(${alias}.${subject === 'contacts' ? 'first_called_weekday' : 'local_weekday'} AS VARCHAR)`,
        label: NULL_TEXT,
      };
  }
}

function partSql(spec: PartSpec, analysis: ResolvedAnalysis): string {
  if (typeof spec.subject !== 'string') return weightedPartSql(spec, spec.subject.weighted, analysis);
  const table = spec.subject;
  const conditions = [
    partition('s', analysis),
    ...(spec.where === undefined ? [] : [spec.where]),
    ...analysis.filters.map(
      (filter) => `${dimensionValue('s', filter.dimension)} IN (${filter.values.map(sqlString).join(', ')})`,
    ),
    ...analysis.answers.map(
      (filter) =>
        `EXISTS (SELECT 1 FROM ${latestName(filter.questionId)} f WHERE f.campaign = s.campaign AND f.run_date = s.run_date AND f.contact_key = s.contact_key AND f.answer_key = ${sqlString(filter.key)})`,
    ),
  ];
  const joins = analysis.groups
    .map((group, index) =>
      group.kind === 'question'
        ? `LEFT JOIN ${latestName(group.id)} g${index + 1} ON g${index + 1}.campaign = s.campaign AND g${index + 1}.run_date = s.run_date AND g${index + 1}.contact_key = s.contact_key`
        : undefined,
    )
    .filter((join) => join !== undefined);
  const grouped = [0, 1].map((index) => {
    const group = analysis.groups[index];
    return group === undefined
      ? { value: NULL_TEXT, label: NULL_TEXT }
      : groupExpression(group, spec.subject, index + 1);
  });
  const day = analysis.perDay ? 's.run_date' : NULL_TEXT;
  const keys = [
    ...(analysis.perDay ? [day] : []),
    ...grouped.filter((group) => group.value !== NULL_TEXT).map((group) => group.value),
    ...(spec.constantItem ? [] : [spec.item]),
  ];
  return [
    `SELECT ${sqlString(spec.part)} AS part, ${day} AS day,`,
    `  ${grouped[0]?.value} AS g1, ${grouped[0]?.label} AS g1_label, ${grouped[1]?.value} AS g2, ${grouped[1]?.label} AS g2_label,`,
    `  ${spec.item} AS item, ${spec.itemLabel ?? NULL_TEXT} AS item_label,`,
    `  ${spec.n1} AS n1, ${spec.n2 ?? '0'} AS n2, ${spec.n3 ?? '0'} AS n3`,
    `FROM ${table} s`,
    ...joins,
    ...(conditions.length > 0 ? [`WHERE ${conditions.join('\n  AND ')}`] : []),
    ...(keys.length > 0 ? [`GROUP BY ${keys.join(', ')}`] : []),
  ].join('\n');
}

/**
 * A part over weighted latest answers: grouped first with the partition and snapshot of its rows (their weights
 * summed, a joined row weighing the product of its sides), then only the groups of each partition's newest snapshot
 * are kept and summed. Groups that net to nothing (an answer a fresh one replaced) are dropped.
 */
function weightedPartSql(spec: PartSpec, questions: WeightedQuestions, analysis: ResolvedAnalysis): string {
  const sameContact = (alias: string) =>
    `${alias}.contact_key = s.contact_key AND ${alias}.snapshot_at = s.snapshot_at`;
  const joins = [
    ...analysis.groups.map((group, index) =>
      group.kind === 'question'
        ? `LEFT JOIN ${weightedName([group.id])} g${index + 1} ON ${sameContact(`g${index + 1}`)}`
        : undefined,
    ),
    ...analysis.answers.map(
      (filter, index) =>
        `JOIN ${weightedName([filter.questionId])} a${index + 1} ON ${sameContact(`a${index + 1}`)} AND a${index + 1}.answer_key = ${sqlString(filter.key)}`,
    ),
  ].filter((join) => join !== undefined);
  const weight = [
    's.weight',
    ...analysis.groups.flatMap((group, index) =>
      group.kind === 'question' ? [`coalesce(g${index + 1}.weight, 1)`] : [],
    ),
    ...analysis.answers.map((_, index) => `a${index + 1}.weight`),
  ].join(' * ');
  const conditions = analysis.filters.map(
    (filter) => `${dimensionValue('s', filter.dimension)} IN (${filter.values.map(sqlString).join(', ')})`,
  );
  // A label of a row that counts (a replaced answer's row weighs -1 in its second copy).
  const label = (alias: string) => `max(CASE WHEN ${alias}.weight > 0 THEN ${alias}.label END)`;
  const grouped = [0, 1].map((index) => {
    const group = analysis.groups[index];
    if (group === undefined) return { value: NULL_TEXT, label: NULL_TEXT };
    if (group.kind === 'question') return { value: `g${index + 1}.answer_key`, label: label(`g${index + 1}`) };
    return groupExpression(group, spec.subject, index + 1);
  });
  const day = analysis.perDay ? 's.run_date' : NULL_TEXT;
  const keys = [
    ...(analysis.perDay ? [day] : []),
    ...grouped.filter((group) => group.value !== NULL_TEXT).map((group) => group.value),
    spec.item,
  ];
  const inner = [
    `SELECT s.campaign, s.run_date, s.snapshot_at, ${day} AS day,`,
    `  ${grouped[0]?.value} AS g1, ${grouped[0]?.label} AS g1_label, ${grouped[1]?.value} AS g2, ${grouped[1]?.label} AS g2_label,`,
    `  ${spec.item} AS item, ${spec.itemLabel === undefined ? NULL_TEXT : label('s')} AS item_label, sum(${weight}) AS n`,
    `FROM ${weightedName(questions)} s`,
    ...joins,
    ...(conditions.length > 0 ? [`WHERE ${conditions.join('\n  AND ')}`] : []),
    `GROUP BY s.campaign, s.run_date, s.snapshot_at, ${keys.join(', ')}`,
  ].join('\n');
  return [
    `SELECT ${sqlString(spec.part)} AS part, p.day,`,
    '  p.g1, max(p.g1_label) AS g1_label, p.g2, max(p.g2_label) AS g2_label,',
    '  p.item, max(p.item_label) AS item_label, sum(p.n) AS n1, 0 AS n2, 0 AS n3',
    `FROM (\n${inner}\n) p`,
    `LEFT JOIN ${NEWEST} n ON n.campaign = p.campaign AND n.run_date = p.run_date`,
    'WHERE p.snapshot_at = coalesce(n.snapshot_at, 0)',
    'GROUP BY p.day, p.g1, p.g2, p.item',
    'HAVING sum(p.n) > 0',
  ].join('\n');
}

/** The parts (grouped selects) of an analysis. */
function partsOf(analysis: ResolvedAnalysis): PartSpec[] {
  const groups = analysis.groups;
  switch (analysis.base) {
    case 'outcomes':
      return [
        { part: 'status', subject: 'contacts', item: 's.final_status', n1: 'count(*)', groups },
        {
          part: 'outcome',
          subject: 'attempts',
          item: 's.outcome',
          n1: ones('s.first_reach'),
          n2: 'count(*)',
          n3: ones('s.attempt = 1'),
          groups,
        },
      ];
    case 'answers':
    case 'crosstab': {
      const question = analysis.question ?? '';
      return [
        {
          part: 'answer',
          subject: { weighted: [question] },
          item: 's.answer_key',
          itemLabel: 'max(s.label)',
          n1: 'sum(s.weight)',
          groups,
        },
      ];
    }
    case 'reach-by-attempt':
      return [
        {
          part: 'attempt',
          subject: 'attempts',
          item: 'CAST(s.attempt AS VARCHAR)',
          n1: ones('s.first_reach'),
          n2: 'count(*)',
          groups,
        },
      ];
    case 'hours':
      return [
        {
          part: 'slot',
          subject: 'attempts',
          item: "CAST(s.local_weekday AS VARCHAR) || ':' || CAST(s.local_hour AS VARCHAR)",
          n1: ones('s.first_reach'),
          n2: 'count(*)',
          n3: ones('s.reached'),
          groups,
        },
      ];
    case 'funnel':
      // One pass over the attempts (reached in n1, completed in n2) and one over every question's latest answers.
      return [
        {
          part: 'reached',
          subject: 'attempts',
          item: sqlString('reached'),
          constantItem: true,
          n1: ones('s.first_reach'),
          n2: ones("s.outcome = 'COMPLETED'"),
          groups,
        },
        {
          // Every question's answers, unfiltered: analysisTable reads the analysis' questions' rows only, and a
          // filter on question_id over millions of rows cost DuckDB more than the whole count.
          part: 'answered',
          subject: { weighted: 'all' },
          item: 's.question_id',
          n1: 'sum(s.weight)',
          groups,
        },
      ];
    case 'follow-ups':
      return [
        {
          part: 'follow-up',
          subject: 'follow_ups',
          item: "s.rule_id || ':' || s.status",
          n1: 'count(*)',
          groups,
        },
      ];
  }
}

/** The questions a part joins (groupings by a question, answer filters). */
function joinedQuestions(analysis: ResolvedAnalysis): string[] {
  return [
    ...analysis.groups.flatMap((group) => (group.kind === 'question' ? [group.id] : [])),
    ...analysis.answers.map((filter) => filter.questionId),
  ];
}

/** The one SQL statement of an analysis. */
export function analysisSql(analysis: ResolvedAnalysis): string {
  const parts = partsOf(analysis);
  // Parts over the views join each contact's latest answer (one row per contact); parts over weighted answers join
  // the weighted rows of each joined question.
  const latest = new Set<string>();
  const weighted = new Map<string, WeightedQuestions>();
  for (const part of parts) {
    if (typeof part.subject === 'string') {
      for (const question of joinedQuestions(analysis)) latest.add(question);
    } else {
      weighted.set(weightedName(part.subject.weighted), part.subject.weighted);
      for (const question of joinedQuestions(analysis)) weighted.set(weightedName([question]), [question]);
    }
  }
  const ctes = [
    ...(weighted.size > 0
      ? [`${NEWEST} AS (\n${newestSnapshotsSql({ partition: (alias) => partition(alias, analysis) })}\n)`]
      : []),
    ...[...weighted.values()].map((questions) => weightedAnswers(questions, analysis)),
    ...[...latest].map((question) => latestAnswers(question, analysis)),
  ];
  return [
    ...(ctes.length > 0 ? [`WITH ${ctes.join(',\n')}`] : []),
    parts.map((part) => partSql(part, analysis)).join('\nUNION ALL\n'),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The answer

/** One row of the SQL's result, parsed. */
export interface PartRow {
  part: string;
  day: string | null;
  g1: string | null;
  g1Label: string | null;
  g2: string | null;
  g2Label: string | null;
  item: string | null;
  itemLabel: string | null;
  n1: number;
  n2: number;
  n3: number;
}

const QUERY_COLUMNS = ['part', 'day', 'g1', 'g1_label', 'g2', 'g2_label', 'item', 'item_label', 'n1', 'n2', 'n3'];

/** The query's rows by column name (as Athena returns them: text or null). */
export function partRows(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null>>): PartRow[] {
  const index = QUERY_COLUMNS.map((column) => columns.indexOf(column));
  if (index.some((position) => position < 0)) throw new Error(`unexpected result columns: ${columns.join(', ')}`);
  const at = (row: ReadonlyArray<string | null>, column: number) => row[index[column] ?? -1] ?? null;
  return rows.map((row) => ({
    part: at(row, 0) ?? '',
    day: at(row, 1),
    g1: at(row, 2),
    g1Label: at(row, 3),
    g2: at(row, 4),
    g2Label: at(row, 5),
    item: at(row, 6),
    itemLabel: at(row, 7),
    n1: Number(at(row, 8) ?? 0),
    n2: Number(at(row, 9) ?? 0),
    n3: Number(at(row, 10) ?? 0),
  }));
}

export type Cell = string | number | null;

export interface AnalysisTable {
  columns: string[];
  rows: Cell[][];
  /** Cells counting fewer than `minCell` (but more than none), returned as null. */
  suppressed: number;
}

/** The output columns of the groupings: a dimension by its name, a question by its id and `<id>_label`. */
function groupColumns(analysis: ResolvedAnalysis): string[] {
  return [
    ...(analysis.perDay ? ['date'] : []),
    ...analysis.groups.flatMap((group) =>
      group.kind === 'dimension'
        ? [group.name]
        : group.kind === 'question'
          ? [group.id, `${group.id}_label`]
          : [group.kind],
    ),
  ];
}

function groupCells(analysis: ResolvedAnalysis, row: PartRow): Cell[] {
  const values = [
    { value: row.g1, label: row.g1Label },
    { value: row.g2, label: row.g2Label },
  ];
  return [
    ...(analysis.perDay ? [row.day] : []),
    ...analysis.groups.flatMap((group, index): Cell[] => {
      const cell = values[index];
      if (group.kind === 'question') return [cell?.value ?? null, cell?.label ?? null];
      if (group.kind === 'hour' || group.kind === 'weekday') return [cell?.value == null ? null : Number(cell.value)];
      return [cell?.value ?? null];
    }),
  ];
}

const groupKey = (analysis: ResolvedAnalysis, row: PartRow): string => JSON.stringify(groupCells(analysis, row));

const ratio = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;

/** Outcomes reached attempts count towards (a person picked up). */
const REACHED_OUTCOMES = new Set(['COMPLETED', 'PARTIAL', 'OPTED_OUT']);

/** Orders rows by their cells (numbers numerically, nulls last), for stable answers. */
function compareCells(a: readonly Cell[], b: readonly Cell[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index] ?? null;
    const right = b[index] ?? null;
    if (left === right) continue;
    if (left === null) return 1;
    if (right === null) return -1;
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    return String(left).localeCompare(String(right));
  }
  return 0;
}

/**
 * The analysis' table from its query's rows: the measures of each analysis (docs/analytics.md, "Named analyses"),
 * before suppression.
 */
export function analysisTable(
  analysis: ResolvedAnalysis,
  rows: readonly PartRow[],
): { columns: string[]; rows: Cell[][] } {
  const groupsOf = new Map<string, PartRow[]>();
  for (const row of rows) {
    const key = groupKey(analysis, row);
    groupsOf.set(key, [...(groupsOf.get(key) ?? []), row]);
  }
  const head = groupColumns(analysis);
  const out: Cell[][] = [];
  let columns: string[] = [];
  for (const members of groupsOf.values()) {
    const first = members[0];
    if (first === undefined) continue;
    const cells = groupCells(analysis, first);
    const sum = (filter: (row: PartRow) => boolean, pick: (row: PartRow) => number) =>
      members.filter(filter).reduce((total, row) => total + pick(row), 0);
    switch (analysis.base) {
      case 'outcomes': {
        columns = [...head, 'outcome', 'contacts', 'attempts', 'share'];
        const finished = sum(
          (row) => row.part === 'status',
          (row) => row.n1,
        );
        const called = sum(
          (row) => row.part === 'outcome',
          (row) => row.n3,
        );
        const reached = sum(
          (row) => row.part === 'outcome',
          (row) => row.n1,
        );
        const attempts = sum(
          (row) => row.part === 'outcome',
          (row) => row.n2,
        );
        const reachedAttempts = sum(
          (row) => row.part === 'outcome' && REACHED_OUTCOMES.has(row.item ?? ''),
          (row) => row.n2,
        );
        const outcomes = [...new Set(members.map((row) => row.item ?? ''))].filter((item) => item !== '').sort();
        for (const outcome of outcomes) {
          const contacts = sum(
            (row) => row.part === 'status' && row.item === outcome,
            (row) => row.n1,
          );
          const outcomeAttempts = sum(
            (row) => row.part === 'outcome' && row.item === outcome,
            (row) => row.n2,
          );
          out.push([...cells, outcome, contacts, outcomeAttempts, ratio(contacts, finished)]);
        }
        out.push([...cells, 'CALLED', called, attempts, null]);
        out.push([...cells, 'REACHED', reached, reachedAttempts, ratio(reached, called)]);
        break;
      }
      case 'answers': {
        const question = analysis.question ?? '';
        columns = [...head, question, `${question}_label`, 'contacts', 'share'];
        const total = sum(
          () => true,
          (row) => row.n1,
        );
        for (const row of members) out.push([...cells, row.item, row.itemLabel, row.n1, ratio(row.n1, total)]);
        break;
      }
      case 'crosstab': {
        const question = analysis.question ?? '';
        columns = [...head, question, `${question}_label`, 'contacts', 'row_share', 'column_share'];
        for (const row of members) out.push([...cells, row.item, row.itemLabel, row.n1, null, null]);
        break;
      }
      case 'reach-by-attempt': {
        columns = [...head, 'attempt', 'contacts', 'attempts', 'share', 'cumulative_share'];
        const called = sum(
          (row) => row.item === '1',
          (row) => row.n2,
        );
        let cumulative = 0;
        for (const row of [...members].sort((a, b) => Number(a.item) - Number(b.item))) {
          cumulative += row.n1;
          out.push([...cells, Number(row.item), row.n1, row.n2, ratio(row.n1, called), ratio(cumulative, called)]);
        }
        break;
      }
      case 'hours': {
        columns = [...head, 'weekday', 'hour', 'contacts', 'attempts', 'share'];
        for (const row of members) {
          const [weekday, hour] = (row.item ?? ':').split(':').map(Number);
          out.push([...cells, weekday ?? null, hour ?? null, row.n1, row.n2, ratio(row.n3, row.n2)]);
        }
        break;
      }
      case 'funnel': {
        columns = [...head, 'step', 'contacts', 'share', 'drop_off'];
        const reached = sum(
          (row) => row.part === 'reached',
          (row) => row.n1,
        );
        const steps = [
          { step: 'reached', contacts: reached },
          ...analysis.questions.map((question) => ({
            step: `answered ${question}`,
            contacts: sum(
              (row) => row.part === 'answered' && row.item === question,
              (row) => row.n1,
            ),
          })),
          {
            step: 'completed',
            contacts: sum(
              (row) => row.part === 'reached',
              (row) => row.n2,
            ),
          },
        ];
        steps.forEach((step, index) => {
          const previous = index === 0 ? undefined : steps[index - 1]?.contacts;
          out.push([
            ...cells,
            step.step,
            step.contacts,
            ratio(step.contacts, reached),
            previous === undefined ? null : previous - step.contacts,
          ]);
        });
        break;
      }
      case 'follow-ups': {
        columns = [...head, 'rule', 'status', 'contacts', 'share'];
        for (const row of members) {
          const [rule = '', status = ''] = (row.item ?? ':').split(':');
          const ruleTotal = sum(
            (other) => (other.item ?? '').startsWith(`${rule}:`),
            (other) => other.n1,
          );
          out.push([...cells, rule, status, row.n1, ratio(row.n1, ruleTotal)]);
        }
        break;
      }
    }
  }
  if (analysis.base === 'crosstab') fillCrosstabShares(analysis, out);
  if (columns.length === 0) columns = emptyColumns(analysis, head);
  // The funnel's steps keep their order (reached, each question in script order, completed) within each group.
  const sortKey = analysis.base === 'funnel' ? (row: Cell[]) => row.slice(0, head.length) : (row: Cell[]) => row;
  return { columns, rows: out.sort((a, b) => compareCells(sortKey(a), sortKey(b))) };
}

function emptyColumns(analysis: ResolvedAnalysis, head: string[]): string[] {
  const question = analysis.question ?? '';
  switch (analysis.base) {
    case 'outcomes':
      return [...head, 'outcome', 'contacts', 'attempts', 'share'];
    case 'answers':
      return [...head, question, `${question}_label`, 'contacts', 'share'];
    case 'crosstab':
      return [...head, question, `${question}_label`, 'contacts', 'row_share', 'column_share'];
    case 'reach-by-attempt':
      return [...head, 'attempt', 'contacts', 'attempts', 'share', 'cumulative_share'];
    case 'hours':
      return [...head, 'weekday', 'hour', 'contacts', 'attempts', 'share'];
    case 'funnel':
      return [...head, 'step', 'contacts', 'share', 'drop_off'];
    case 'follow-ups':
      return [...head, 'rule', 'status', 'contacts', 'share'];
  }
}

/** Crosstab shares: of its question's answer (row) and of its grouping value (column), per day for trends. */
function fillCrosstabShares(analysis: ResolvedAnalysis, rows: Cell[][]): void {
  const day = analysis.perDay ? 1 : 0;
  const groupWidth = groupColumns(analysis).length;
  const key = (row: Cell[], from: number, to: number) => JSON.stringify(row.slice(from, to));
  const byRow = new Map<string, number>();
  const byColumn = new Map<string, number>();
  for (const row of rows) {
    const count = Number(row[groupWidth + 2] ?? 0);
    const rowKey = `${key(row, 0, day)}|${row[groupWidth]}`;
    const columnKey = key(row, 0, groupWidth);
    byRow.set(rowKey, (byRow.get(rowKey) ?? 0) + count);
    byColumn.set(columnKey, (byColumn.get(columnKey) ?? 0) + count);
  }
  for (const row of rows) {
    const count = Number(row[groupWidth + 2] ?? 0);
    row[groupWidth + 3] = ratio(count, byRow.get(`${key(row, 0, day)}|${row[groupWidth]}`) ?? 0);
    row[groupWidth + 4] = ratio(count, byColumn.get(key(row, 0, groupWidth)) ?? 0);
  }
}

/** Columns whose cells count contacts or attempts (the cells suppression applies to). */
const COUNT_COLUMNS = new Set(['contacts', 'attempts']);
/** Columns computed from counts: suppressed with the count they divide (or subtract) so it cannot be recovered. */
const DERIVED_COLUMNS = new Set(['share', 'row_share', 'column_share', 'cumulative_share', 'drop_off']);

/**
 * Small cells: a count above zero and below `minCell` becomes null, and so do the shares and differences of its
 * row; returns how many count cells were suppressed.
 */
export function suppressSmallCells(table: { columns: string[]; rows: Cell[][] }, minCell: number): AnalysisTable {
  const counts = table.columns.map((column, index) => (COUNT_COLUMNS.has(column) ? index : -1)).filter((i) => i >= 0);
  const derived = table.columns
    .map((column, index) => (DERIVED_COLUMNS.has(column) ? index : -1))
    .filter((i) => i >= 0);
  let suppressed = 0;
  const rows = table.rows.map((row) => {
    const copy = [...row];
    let small = false;
    for (const index of counts) {
      const value = copy[index];
      if (typeof value === 'number' && value > 0 && value < minCell) {
        copy[index] = null;
        suppressed += 1;
        small = true;
      }
    }
    if (small) for (const index of derived) copy[index] = null;
    return copy;
  });
  return { columns: table.columns, rows, suppressed };
}
