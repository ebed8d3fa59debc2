/**
 * The engine's SQL stays in the subset Athena (Trino) and DuckDB share: every statement it builds (each analysis
 * with each kind of grouping and filter, and the views of the catalogue) parses with a Trino grammar
 * (dt-sql-parser's TrinoSQL) and runs on DuckDB over the catalogue.
 */
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ANALYSIS_NAMES,
  type AnalysisName,
  AnalysisParametersSchema,
  analysisSql,
  resolveAnalysis,
} from '../../../../functions/core/analytics/analyses.ts';
import { FACT_TABLE_NAMES } from '../../../../functions/core/analytics/fact-tables.ts';
import { factViewSql, latestAnswersViewSql } from '../../../../functions/core/analytics/views.ts';
import { DATABASE, DirectoryFactStorage, FactQueries } from '../../use-cases/analytics/fact-harness.ts';

const campaigns = [
  {
    id: 'demo',
    questions: [
      { id: 'q1', keys: { '1': 'Yes' } },
      { id: 'q2', keys: { '1': 'Yes' } },
    ],
    dimensions: ['clinic', 'region'],
  },
  { id: 'other-campaign', questions: [{ id: 'q1', keys: { '1': 'Yes' } }], dimensions: ['clinic'] },
];

/** Parameter sets per analysis: plain, grouped by each kind it takes, filtered, per day. */
const VARIANTS: Record<AnalysisName, Array<Record<string, string>>> = {
  outcomes: [
    {},
    { by: 'clinic,region' },
    { by: 'q1' },
    { by: 'hour,weekday' },
    { filter: "clinic:Wola|O'Hara", answer: 'q2:1' },
  ],
  answers: [
    { question: 'q1' },
    { question: 'q1', by: 'clinic' },
    { question: 'q2', answer: 'q1:1', filter: 'region:North' },
  ],
  crosstab: [
    { question: 'q1', by: 'q2' },
    { question: 'q1', by: 'clinic' },
  ],
  'reach-by-attempt': [{}, { by: 'clinic' }, { by: 'q1' }],
  hours: [{}, { by: 'clinic' }],
  funnel: [{}, { by: 'region' }],
  trend: [
    { of: 'outcomes' },
    { of: 'answers', question: 'q1', by: 'clinic' },
    { of: 'crosstab', question: 'q1', by: 'q2' },
    { of: 'funnel' },
    { of: 'follow-ups' },
    { of: 'hours' },
    { of: 'reach-by-attempt' },
  ],
  'follow-ups': [{}, { by: 'clinic' }],
};

function engineStatements(): Array<{ name: string; sql: string }> {
  const statements: Array<{ name: string; sql: string }> = [];
  for (const analysis of ANALYSIS_NAMES) {
    for (const variant of VARIANTS[analysis]) {
      const parameters = AnalysisParametersSchema.parse({
        campaign: 'demo,other-campaign',
        from: '2026-03-01',
        to: '2026-03-31',
        ...variant,
      });
      const resolved = resolveAnalysis(analysis, parameters, campaigns);
      if ('problems' in resolved)
        throw new Error(`${analysis} ${JSON.stringify(variant)}: ${JSON.stringify(resolved.problems)}`);
      statements.push({ name: `${analysis} ${JSON.stringify(variant)}`, sql: analysisSql(resolved) });
    }
  }
  for (const table of FACT_TABLE_NAMES) statements.push({ name: `view ${table}`, sql: factViewSql(table, DATABASE) });
  statements.push({ name: 'view latest_answers', sql: latestAnswersViewSql(DATABASE) });
  return statements;
}

const storage = new DirectoryFactStorage();
const queries = new FactQueries(storage);
afterAll(() => {
  queries.close();
  storage.dispose();
});

describe('the SQL subset', () => {
  const statements = engineStatements();

  it.each(statements)('$name parses as Trino SQL', ({ sql }) => {
    expect(new TrinoSQL().validate(sql)).toEqual([]);
  });

  it.each(statements)('$name runs on DuckDB', async ({ sql }) => {
    await expect(queries.rows(sql)).resolves.toBeInstanceOf(Array);
  });

  it('would notice DuckDB-only SQL', () => {
    expect(new TrinoSQL().validate('SELECT x FROM t QUALIFY row_number() OVER () = 1')).not.toEqual([]);
  });
});
