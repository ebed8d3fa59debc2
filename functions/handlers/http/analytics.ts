/**
 * Analytics API: `GET /analytics/{analysis}?campaign=…&from=…&to=…&by=…&question=…` runs a named analysis over the
 * facts (Athena in AWS, DuckDB locally) and answers with its table (docs/analytics.md). There is no raw-SQL route.
 */
import { z } from 'zod';
import { AnalyticsQueryError, AthenaQueries } from '../../adapters/athena-queries.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ANALYSIS_NAMES, AnalysisParametersSchema } from '../../core/analytics/analyses.ts';
import { AnalysisEnvironmentSchema, parseSettings } from '../../lib/analytics-config.ts';
import { badRequest, HttpError, httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { logger } from '../../lib/logger.ts';
import { runAnalysis } from '../../use-cases/analytics/run-analysis.ts';

const settings = parseSettings(AnalysisEnvironmentSchema);
const ports = {
  campaigns: new CampaignStore(settings.TABLE_NAME),
  queries: new AthenaQueries(settings.ANALYTICS_DATABASE, settings.ANALYTICS_WORKGROUP),
  minCell: settings.ANALYTICS_MIN_CELL,
};

const PathSchema = z.object({ analysis: z.enum(ANALYSIS_NAMES) });

export const analyze = httpHandler(async (event) => {
  const { analysis } = parseRequest(PathSchema, event.pathParameters, 'path');
  const parameters = parseRequest(AnalysisParametersSchema, event.queryStringParameters ?? {}, 'query');
  const outcome = await runAnalysis(ports, analysis, parameters).catch((error: unknown) => {
    if (!(error instanceof AnalyticsQueryError)) throw error;
    // Athena refused or failed the query (the workgroup's scan limit, a time-out): say so, not "internal error".
    logger.warn('analysis query failed', { analysis, queryExecutionId: error.queryExecutionId, error: error.message });
    throw new HttpError(502, 'QUERY_FAILED', `the ${analysis} query did not finish: ${error.message}`);
  });
  if (outcome.kind === 'UNKNOWN_CAMPAIGN') throw notFound(`no campaign ${outcome.campaignId}`);
  if (outcome.kind === 'INVALID') throw badRequest(`invalid ${analysis} analysis`, outcome.problems);
  return json(200, outcome.result);
});
