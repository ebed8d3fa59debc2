/**
 * The operator's actions on runs, each audited:
 * - POST /campaigns/{campaignId}/runs { date }: start (or resume) the run's state machine execution;
 * - POST /campaigns/{campaignId}/runs/{date}/{pause|resume|stop}: obeyed by the next tick.
 */
import { z } from 'zod';
import { AuditLog } from '../../adapters/audit-log.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { StepFunctionsRunExecutions } from '../../adapters/run-executions.ts';
import { type RunStatus, runStoreFor } from '../../adapters/run-store.ts';
import { isPastDate } from '../../core/run-clock.ts';
import { auditedHttpHandler } from '../../lib/audit-trail.ts';
import { environment } from '../../lib/config.ts';
import { badRequest, conflict, json, jsonBody, notFound, parseRequest } from '../../lib/http.ts';
import { startRun } from '../../use-cases/dialing/start-run.ts';

const settings = environment(['TABLE_NAME', 'RUN_STATE_MACHINE_ARN', 'AUDIT_RETENTION_DAYS']);
const audit = new AuditLog(settings.TABLE_NAME, settings.AUDIT_RETENTION_DAYS, documentClient);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = runStoreFor(settings.TABLE_NAME);
const executions = new StepFunctionsRunExecutions(settings.RUN_STATE_MACHINE_ARN);

const CampaignPathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });
const RunPathSchema = CampaignPathSchema.extend({ date: z.iso.date() });
const ControlPathSchema = RunPathSchema.extend({ action: z.enum(['pause', 'resume', 'stop']) });
const StartBodySchema = z.object({ date: z.iso.date() });

export const start = auditedHttpHandler('RUN_START', audit, async (event, _context, note) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  note.target = { campaignId };
  const { date } = parseRequest(StartBodySchema, jsonBody(event), 'body');
  note.target.date = date;
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
  note.details = {
    generation: result.generation,
    ...(result.closedOrphan && { closedExecution: result.closedOrphan.name }),
  };
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

const CONTROL_ACTIONS = { pause: 'RUN_PAUSE', resume: 'RUN_RESUME', stop: 'RUN_STOP' } as const;

const transitions: Record<'pause' | 'resume' | 'stop', { from: RunStatus[]; to: RunStatus }> = {
  pause: { from: ['RUNNING'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'RUNNING' },
  stop: { from: ['RUNNING', 'PAUSED'], to: 'STOPPING' },
};

export const control = auditedHttpHandler('RUN_PAUSE', audit, async (event, _context, note) => {
  const path = ControlPathSchema.safeParse(event.pathParameters);
  if (path.success) note.action = CONTROL_ACTIONS[path.data.action];
  const { campaignId, date, action } = parseRequest(ControlPathSchema, event.pathParameters, 'path');
  note.target = { campaignId, date };
  const { from, to } = transitions[action];
  if (!(await runs.transition(campaignId, date, from, to))) {
    const run = await runs.getRun(campaignId, date);
    if (run === undefined) throw notFound(`no run of ${campaignId} for ${date}`);
    throw conflict(`cannot ${action} a run that is ${run.status}`);
  }
  return json(200, { campaignId, date, status: to });
});
