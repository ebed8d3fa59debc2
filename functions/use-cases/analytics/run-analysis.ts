/**
 * Runs a named analysis: checks its parameters against the campaigns' definitions, runs its one SQL statement on
 * the query engine (Athena, or the local DuckDB behind the same API), and shapes the answer: columns, rows, shares,
 * small cells suppressed.
 */
import {
  type AnalysisName,
  type AnalysisParameters,
  type AnalysisProblem,
  analysisSql,
  analysisTable,
  type Cell,
  partRows,
  resolveAnalysis,
  suppressSmallCells,
} from '../../core/analytics/analyses.ts';
import type { Campaign } from '../../core/campaign.ts';

export interface AnalysisPorts {
  campaigns: { get(campaignId: string): Promise<{ campaign: Campaign } | undefined> };
  queries: {
    run(sql: string): Promise<{
      columns: Array<{ name: string }>;
      rows: Array<Array<string | null>>;
      bytesScanned: number;
      submittedAt: Date;
    }>;
  };
  /** Cells counting fewer contacts or attempts than this are null. */
  minCell: number;
}

export interface AnalysisResult {
  analysis: AnalysisName;
  parameters: {
    campaigns: string[];
    from: string;
    to: string;
    by: string[];
    question?: string;
    of?: string;
    filter: string[];
    answer: string[];
  };
  columns: string[];
  rows: Cell[][];
  minCell: number;
  suppressed: number;
  /** The facts written by then are in the answer (the query's submission time). */
  freshAsOf: string;
  /** What the query scanned (Athena bills $5 per TB, at least 10 MB a query). */
  bytesScanned: number;
}

export type AnalysisOutcome =
  | { kind: 'RESULT'; result: AnalysisResult }
  | { kind: 'INVALID'; problems: AnalysisProblem[] }
  | { kind: 'UNKNOWN_CAMPAIGN'; campaignId: string };

export async function runAnalysis(
  ports: AnalysisPorts,
  name: AnalysisName,
  parameters: AnalysisParameters,
): Promise<AnalysisOutcome> {
  const campaigns = [];
  for (const campaignId of parameters.campaign) {
    const stored = await ports.campaigns.get(campaignId);
    if (stored === undefined) return { kind: 'UNKNOWN_CAMPAIGN', campaignId };
    campaigns.push({
      id: campaignId,
      questions: stored.campaign.script.questions.map((question) => ({ id: question.id, keys: question.keys })),
      dimensions: stored.campaign.analytics.dimensions,
    });
  }
  const resolved = resolveAnalysis(name, parameters, campaigns);
  if ('problems' in resolved) return { kind: 'INVALID', problems: resolved.problems };
  const answer = await ports.queries.run(analysisSql(resolved));
  const table = analysisTable(
    resolved,
    partRows(
      answer.columns.map((column) => column.name),
      answer.rows,
    ),
  );
  const { columns, rows, suppressed } = suppressSmallCells(table, ports.minCell);
  return {
    kind: 'RESULT',
    result: {
      analysis: name,
      parameters: {
        campaigns: resolved.campaigns,
        from: resolved.from,
        to: resolved.to,
        by: parameters.by,
        ...(resolved.question !== undefined && { question: resolved.question }),
        ...(name === 'trend' && { of: resolved.base }),
        filter: resolved.filters.map((filter) => `${filter.dimension}:${filter.values.join('|')}`),
        answer: resolved.answers.map((filter) => `${filter.questionId}:${filter.key}`),
      },
      columns,
      rows,
      minCell: ports.minCell,
      suppressed,
      freshAsOf: answer.submittedAt.toISOString(),
      bytesScanned: answer.bytesScanned,
    },
  };
}
