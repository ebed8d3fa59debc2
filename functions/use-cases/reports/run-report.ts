/**
 * Report use cases shared by the HTTP API and the run-end report job: the summary of one run or
 * of a range of days (from counters). Per-contact exports are jobs (export-job.ts), made on request.
 */
import type { Campaign } from '../../core/campaign.ts';
import { type RunCost, type RunRates, runCostOf } from '../../core/report/run-cost.ts';
import { buildRunSummary, type ReportQuestion, type RunSummary, sumCounters } from '../../core/report/summary.ts';
import type { CampaignDefinitions, ReportReader } from './ports.ts';

export interface ReportPorts {
  campaigns: CampaignDefinitions;
  store: Pick<ReportReader, 'runCounters' | 'runsCounters'>;
  /** The stage's prices (functions/lib/cost-rates.ts) the run's measured usage is priced with. */
  rates: RunRates;
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
  /** What the run cost: the engine's measured AWS usage by service, and apart the calls' telephony and SMS. */
  cost: RunCost;
}

export interface RangeReport extends RunSummary {
  campaignId: string;
  from: string;
  to: string;
  runs: Array<{ date: string; status: string; contacts: number }>;
  generatedAt: string;
  /** What the runs cost together. */
  cost: RunCost;
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
    cost: runCostOf(run.counters, ports.rates),
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
  const counters = sumCounters(runs.map((run) => run.counters));
  return {
    campaignId,
    from,
    to,
    runs: runs.map((run) => ({ date: run.date, status: run.status, contacts: run.counters.contacts ?? 0 })),
    generatedAt: new Date().toISOString(),
    ...buildRunSummary(counters, questionsOf(stored?.campaign)),
    cost: runCostOf(counters, ports.rates),
  };
}
