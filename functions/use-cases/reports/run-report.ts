/**
 * Report use cases shared by the HTTP API and the run-end report job: the summary of one run or
 * of a range of days (from counters). Per-contact exports are jobs (export-job.ts), made on request.
 */
import type { Campaign } from '../../core/campaign.ts';
import { buildRunSummary, type ReportQuestion, type RunSummary, sumCounters } from '../../core/report/summary.ts';
import type { CampaignDefinitions, ReportReader } from './ports.ts';

export interface ReportPorts {
  campaigns: CampaignDefinitions;
  store: Pick<ReportReader, 'runCounters' | 'runsCounters'>;
}

export interface RunReport extends RunSummary {
  campaignId: string;
  date: string;
  /** What the campaign declared: why it calls (purpose) and on what lawful basis. */
  purpose?: string;
  lawfulBasis?: string;
  status: string;
  startedAt?: string;
  finishedAt?: string;
  generatedAt: string;
}

export interface RangeReport extends RunSummary {
  campaignId: string;
  from: string;
  to: string;
  runs: Array<{ date: string; status: string; contacts: number }>;
  generatedAt: string;
}

export const questionsOf = (campaign: Campaign | undefined): ReportQuestion[] =>
  (campaign?.script.questions ?? []).map(({ id, prompt, keys }) => ({ id, prompt, keys }));

/** The summary of one run, or undefined when the run does not exist. */
export async function runReport(ports: ReportPorts, campaignId: string, date: string): Promise<RunReport | undefined> {
  const [run, stored] = await Promise.all([ports.store.runCounters(campaignId, date), ports.campaigns.get(campaignId)]);
  if (run === undefined) return undefined;
  return {
    campaignId,
    date,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    generatedAt: new Date().toISOString(),
    ...(stored !== undefined && {
      purpose: stored.campaign.policy.purpose,
      lawfulBasis: stored.campaign.policy.lawfulBasis,
    }),
    ...buildRunSummary(run.counters, questionsOf(stored?.campaign)),
  };
}

/** The summary over the runs among `dates` (days without a run count as nothing). */
export async function rangeReport(
  ports: ReportPorts,
  campaignId: string,
  from: string,
  to: string,
  dates: readonly string[],
): Promise<RangeReport> {
  const [runs, stored] = await Promise.all([
    ports.store.runsCounters(campaignId, dates),
    ports.campaigns.get(campaignId),
  ]);
  return {
    campaignId,
    from,
    to,
    runs: runs.map((run) => ({ date: run.date, status: run.status, contacts: run.counters.contacts ?? 0 })),
    generatedAt: new Date().toISOString(),
    ...buildRunSummary(sumCounters(runs.map((run) => run.counters)), questionsOf(stored?.campaign)),
  };
}
