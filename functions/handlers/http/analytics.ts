/**
 * Analytics API: `GET /analytics/{analysis}?campaign=…&from=…&to=…&by=…&question=…` runs a named analysis over the
 * facts (Athena in AWS, DuckDB locally) and answers with its table (docs/analytics.md). There is no raw-SQL route.
 */
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { AnalyticsQueryError, AthenaQueries } from '../../adapters/athena-queries.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ANALYSIS_NAMES, AnalysisParametersSchema } from '../../core/analytics/analyses.ts';
import { csvLine } from '../../core/report/contact-rows.ts';
import { AnalysisEnvironmentSchema, parseSettings } from '../../lib/analytics-config.ts';
import { badRequest, HttpError, type HttpEvent, httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { logger } from '../../lib/logger.ts';
import { type AnalysisResult, runAnalysis } from '../../use-cases/analytics/run-analysis.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The table as CSV: a header row, suppressed cells empty, formula-like text defused. */
function tableCsv(result: AnalysisResult): string {
  return [result.columns, ...result.rows]
    .map((row) =>
      row
        .map((cell) => (cell === null ? '' : typeof cell === 'number' ? String(cell) : csvLine([cell]).trimEnd()))
        .join(','),
    )
    .join('\r\n');
}

/** The table as a workbook: numbers as numbers, text always as text. */
async function tableXlsx(result: AnalysisResult): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(result.analysis);
  sheet.addRow(result.columns);
  for (const row of result.rows) sheet.addRow(row.map((cell) => cell ?? undefined));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const settings = parseSettings(AnalysisEnvironmentSchema);
const ports = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  queries: new AthenaQueries(settings.ANALYTICS_DATABASE, settings.ANALYTICS_WORKGROUP),
  minCell: settings.ANALYTICS_MIN_CELL,
};

const PathSchema = z.object({ analysis: z.enum(ANALYSIS_NAMES) });
/** `format=csv|xlsx`: the table as a file to download (the dashboard's buttons); JSON by default. */
const FormatSchema = z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json') });

/** Athena refused or failed the query (the workgroup's scan limit, a time-out): say so, not "internal error". */
function failedQuery(error: unknown, event: HttpEvent): HttpError | undefined {
  if (!(error instanceof AnalyticsQueryError)) return undefined;
  const analysis = event.pathParameters?.analysis;
  logger.warn('analysis query failed', { analysis, queryExecutionId: error.queryExecutionId, error: error.message });
  return new HttpError(502, 'QUERY_FAILED', `the ${analysis} query did not finish: ${error.message}`);
}

export const analyze = httpHandler(async (event) => {
  const { analysis } = parseRequest(PathSchema, event.pathParameters, 'path');
  const parameters = parseRequest(AnalysisParametersSchema, event.queryStringParameters ?? {}, 'query');
  const { format } = parseRequest(FormatSchema, event.queryStringParameters ?? {}, 'query');
  const outcome = await runAnalysis(ports, analysis, parameters);
  if (outcome.kind === 'UNKNOWN_CAMPAIGN') throw notFound(`no campaign ${outcome.campaignId}`);
  if (outcome.kind === 'INVALID') throw badRequest(`invalid ${analysis} analysis`, outcome.problems);
  if (format === 'json') return json(200, outcome.result);
  const fileName = `${analysis}-${outcome.result.parameters.campaigns.join('+')}-${outcome.result.parameters.from}.${format}`;
  const body = format === 'csv' ? Buffer.from(`\uFEFF${tableCsv(outcome.result)}`) : await tableXlsx(outcome.result);
  return {
    statusCode: 200,
    isBase64Encoded: true,
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE,
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
    body: body.toString('base64'),
  };
}, failedQuery);
