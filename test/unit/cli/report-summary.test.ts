import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RunReportSchema } from '../../../cli/api-schemas.ts';
import { renderReport } from '../../../cli/commands/report.ts';
import { parseRateTable, ratesFor } from '../../../functions/core/planning/rates.ts';
import { runCostOf } from '../../../functions/core/report/run-cost.ts';
import { buildRunSummary } from '../../../functions/core/report/summary.ts';

const rates = ratesFor(parseRateTable(parse(readFileSync('config/aws-rates.yml', 'utf8'))), 'eu-west-1');
const counters = {
  contacts: 2,
  n_COMPLETED: 2,
  talkSeconds: 120,
  followUpsSent: 1,
  u_ddb_w: 40,
  u_ddb_r: 10,
  u_sfn: 9,
  u_fn_dispatch_n: 3,
  u_fn_dispatch_ms: 6_000,
  u_fn_dispatch_mbms: 6_000 * 1024,
};

describe('campaign report summary', () => {
  it('prints what the run cost, the engine by service and the calls apart', () => {
    const report = RunReportSchema.parse({
      campaignId: 'demo',
      date: '2026-03-02',
      status: 'FINISHED',
      ...buildRunSummary(counters, []),
      cost: runCostOf(counters, rates),
    });
    const text = renderReport(report);
    expect(text).toContain('cost (eu-west-1 list prices as of 2025-11-10)');
    expect(text).toMatch(
      /engine\s+\$0\.0003: DynamoDB \$0\.000030, Lambda \$0\.000081, Step Functions \$0\.0002, SNS \$0\.00, S3 \$0\.00/,
    );
    expect(text).toMatch(
      /calls and SMS\s+\$0\.16: Connect voice usage 2 minutes \$0\.04, .* SMS \(PL\) 1 messages \$0\.04/,
    );
  });

  it('prints a report without a cost (an older engine) as before', () => {
    const report = RunReportSchema.parse({
      campaignId: 'demo',
      date: '2026-03-02',
      status: 'FINISHED',
      ...buildRunSummary(counters, []),
    });
    expect(renderReport(report)).not.toContain('cost (');
  });
});
