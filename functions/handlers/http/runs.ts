/**
 * Runs API, reading (the operator's actions on runs are in run-control.ts):
 * - GET /campaigns/{campaignId}/runs/{date}: live status from the run's counters, with its estimated finish;
 * - GET /campaigns/{campaignId}/runs/{date}/history: the run's minute-by-minute samples, for charts.
 */
import { z } from 'zod';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { DynamoDbContacts } from '../../adapters/contacts.ts';
import { DynamoDbLineLeases } from '../../adapters/line-leases.ts';
import { DynamoDbCallerUsages } from '../../adapters/person-ledgers.ts';
import { RunEstimates } from '../../adapters/run-estimates.ts';
import { RunHistory } from '../../adapters/run-history.ts';
import { runStoreFor } from '../../adapters/run-store.ts';
import { poolOf } from '../../core/policy/contact-policy.ts';
import { policyStatus } from '../../core/policy/policy-status.ts';
import { environment, PACING_CAPS } from '../../lib/config.ts';
import { contactPolicyOf } from '../../lib/contact-policy.ts';
import { httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';

const settings = environment(['TABLE_NAME', 'RETENTION_DAYS', 'STAGE', ...PACING_CAPS]);
const runs = runStoreFor(settings.TABLE_NAME);
const contactStore = new DynamoDbContacts(settings.TABLE_NAME, documentClient);
const lines = new DynamoDbLineLeases(
  settings.TABLE_NAME,
  { maxConcurrentCalls: settings.MAX_CONCURRENT_CALLS, dialsPerSecond: settings.DIALS_PER_SECOND },
  settings.RETENTION_DAYS,
  documentClient,
);
const history = new RunHistory(settings.TABLE_NAME, settings.RETENTION_DAYS);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const callerUsages = new DynamoDbCallerUsages(settings.TABLE_NAME, documentClient);
const contactPolicy = contactPolicyOf(settings.STAGE);
const estimates = new RunEstimates(settings.TABLE_NAME, settings.RETENTION_DAYS, documentClient);

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });

export const status = httpHandler(async (event) => {
  const { campaignId, date } = parseRequest(RunPathSchema, event.pathParameters, 'path');
  const run = await runs.getRun(campaignId, date);
  if (run === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
  const [shards, nextDue, stored, estimate] = await Promise.all([
    lines.shards(),
    contactStore.nextDue(campaignId, date),
    campaigns.get(campaignId),
    estimates.latest(campaignId, date),
  ]);
  const pool = stored === undefined ? undefined : poolOf(contactPolicy, stored.campaign);
  const usage = pool === undefined ? [] : await callerUsages.read(pool.numbers.map((entry) => entry.number));
  const globalInFlight = shards.reduce((sum, shard) => sum + shard.inFlight, 0);
  const contacts: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  for (const [name, value] of Object.entries(run.counters)) {
    if (name.startsWith('n_')) contacts[name.slice(2)] = value;
    if (name.startsWith('o_')) outcomes[name.slice(2)] = value;
  }
  return json(200, {
    campaignId,
    date,
    status: run.status,
    generation: run.generation,
    campaignVersion: run.campaignVersion,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    lastTickAt: run.lastTickAt,
    contacts,
    outcomes,
    callsInFlight: run.inFlight,
    engineCallsInFlight: globalInFlight,
    dialRate: run.dialRate,
    throttles: run.throttles,
    dialErrors: run.dialErrors,
    caps: {
      maxConcurrentCalls: settings.MAX_CONCURRENT_CALLS,
      dialsPerSecond: settings.DIALS_PER_SECOND,
      dialBurst: settings.DIAL_BURST,
    },
    nextDueAt: nextDue?.toISOString(),
    ...(stored !== undefined && {
      policy: policyStatus(stored.campaign, contactPolicy, run.counters, usage, new Date()),
    }),
    // The finish estimated within the last minute (functions/handlers/schedules/run-estimates.ts), while running.
    ...(estimate !== undefined && run.status === 'RUNNING' && { estimate }),
    ...(run.failure && { failure: run.failure }),
  });
});

export const runHistory = httpHandler(async (event) => {
  const { campaignId, date } = parseRequest(RunPathSchema, event.pathParameters, 'path');
  const samples = await history.samples(campaignId, date);
  if (samples.length === 0 && (await runs.getRun(campaignId, date)) === undefined)
    throw notFound(`no run of ${campaignId} for ${date}`);
  return json(200, { campaignId, date, samples });
});
