/**
 * Runs API:
 * - POST /campaigns/{campaignId}/runs { date }: start (or resume) the run's state machine execution;
 * - GET /campaigns/{campaignId}/runs/{date}: live status from the run's counters, with its estimated finish;
 * - GET /campaigns/{campaignId}/runs/{date}/history: the run's minute-by-minute samples, for charts;
 * - POST /campaigns/{campaignId}/runs/{date}/{pause|resume|stop}: obeyed by the next tick.
 */
import { z } from 'zod';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { DynamoDbContacts } from '../../adapters/contacts.ts';
import { DynamoDbLineLeases } from '../../adapters/line-leases.ts';
import { RunEstimates } from '../../adapters/run-estimates.ts';
import { StepFunctionsRunExecutions } from '../../adapters/run-executions.ts';
import { RunHistory } from '../../adapters/run-history.ts';
import { type RunStatus, runStoreFor } from '../../adapters/run-store.ts';
import { isPastDate } from '../../core/run-clock.ts';
import { environment, PACING_CAPS } from '../../lib/config.ts';
import { badRequest, conflict, httpHandler, json, jsonBody, notFound, parseRequest } from '../../lib/http.ts';
import { startRun } from '../../use-cases/dialing/start-run.ts';

const settings = environment(['TABLE_NAME', 'RETENTION_DAYS', 'RUN_STATE_MACHINE_ARN', ...PACING_CAPS]);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = runStoreFor(settings.TABLE_NAME);
const contactStore = new DynamoDbContacts(settings.TABLE_NAME, documentClient);
const lines = new DynamoDbLineLeases(
  settings.TABLE_NAME,
  { maxConcurrentCalls: settings.MAX_CONCURRENT_CALLS, dialsPerSecond: settings.DIALS_PER_SECOND },
  settings.RETENTION_DAYS,
  documentClient,
);
const history = new RunHistory(settings.TABLE_NAME, settings.RETENTION_DAYS);
const executions = new StepFunctionsRunExecutions(settings.RUN_STATE_MACHINE_ARN);
const estimates = new RunEstimates(settings.TABLE_NAME, settings.RETENTION_DAYS, documentClient);

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });
const ControlPathSchema = RunPathSchema.extend({ action: z.enum(['pause', 'resume', 'stop']) });
const StartBodySchema = z.object({ date: z.iso.date() });

export const start = httpHandler(async (event) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  const { date } = parseRequest(StartBodySchema, jsonBody(event), 'body');
  if (isPastDate(date, new Date()))
    throw badRequest(`${date} is in the past`, [{ path: 'body.date', message: 'in the past' }]);
  if ((await campaigns.get(campaignId)) === undefined) throw notFound(`campaign "${campaignId}" does not exist`);
  const result = await startRun(runs, executions, campaignId, date);
  if (!result.started) {
    throw conflict(
      result.reason === 'ALREADY_ACTIVE'
        ? `the run of ${campaignId} for ${date} is already ${result.status}`
        : `execution ${result.name} already exists`,
    );
  }
  return json(202, {
    campaignId,
    date,
    generation: result.generation,
    executionArn: result.executionArn,
    // The run had been left active by an execution that ended without closing it: it was closed as FAILED first.
    ...(result.closedOrphan && {
      closedExecution: { name: result.closedOrphan.name, status: result.closedOrphan.status },
    }),
  });
});

export const status = httpHandler(async (event) => {
  const { campaignId, date } = parseRequest(RunPathSchema, event.pathParameters, 'path');
  const run = await runs.getRun(campaignId, date);
  if (run === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
  const [shards, nextDue, estimate] = await Promise.all([
    lines.shards(),
    contactStore.nextDue(campaignId, date),
    estimates.latest(campaignId, date),
  ]);
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

const transitions: Record<'pause' | 'resume' | 'stop', { from: RunStatus[]; to: RunStatus }> = {
  pause: { from: ['RUNNING'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'RUNNING' },
  stop: { from: ['RUNNING', 'PAUSED'], to: 'STOPPING' },
};

export const control = httpHandler(async (event) => {
  const { campaignId, date, action } = parseRequest(ControlPathSchema, event.pathParameters, 'path');
  const { from, to } = transitions[action];
  if (!(await runs.transition(campaignId, date, from, to))) {
    const run = await runs.getRun(campaignId, date);
    if (run === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
    throw conflict(`cannot ${action} a run that is ${run.status}`);
  }
  return json(200, { campaignId, date, status: to });
});
