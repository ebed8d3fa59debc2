/**
 * Runs API, reading (the operator's actions on runs are in run-control.ts):
 * - GET /campaigns/{campaignId}/runs/{date}: live status from the run's counters;
 * - GET /campaigns/{campaignId}/runs/{date}/history: the run's minute-by-minute samples, for charts.
 */
import { z } from 'zod';
import { documentClient } from '../../adapters/aws-clients.ts';
import { DynamoDbContacts } from '../../adapters/contacts.ts';
import { DynamoDbLineLeases } from '../../adapters/line-leases.ts';
import { RunHistory } from '../../adapters/run-history.ts';
import { runStoreFor } from '../../adapters/run-store.ts';
import { environment, PACING_CAPS } from '../../lib/config.ts';
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

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });

export const status = httpHandler(async (event) => {
  const { campaignId, date } = parseRequest(RunPathSchema, event.pathParameters, 'path');
  const run = await runs.getRun(campaignId, date);
  if (run === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
  const [shards, nextDue] = await Promise.all([lines.shards(), contactStore.nextDue(campaignId, date)]);
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
