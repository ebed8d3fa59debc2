/**
 * POST /campaigns/{campaignId}/plan: the plan of a run before it dials (functions/use-cases/planning/plan-run.ts),
 * by simulating it with the engine's own dialing code in memory. The body asks what-if questions (all optional):
 * `{ date, contacts | timeZones, lines, dialsPerSecond, dialBurst, flowFunctionConcurrency, tickSeconds, tickGapMs, settleMs,
 * startAt, mix, seed }`; what it does not say comes from the campaign's past runs and the stage's caps, and the
 * plan says where each input came from.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { inMemorySimulation } from '../../adapters/in-memory/simulation.ts';
import { DynamoDbPlanningHistory } from '../../adapters/planning-history.ts';
import { RunCounters } from '../../adapters/run-counters.ts';
import { TimeZoneSchema } from '../../core/campaign.ts';
import { OutcomeMixSchema } from '../../core/planning/outcome-mix.ts';
import { environment, PACING_CAPS } from '../../lib/config.ts';
import { badRequest, HttpError, httpHandler, json, jsonBody, notFound, parseRequest } from '../../lib/http.ts';
import { gatherPlanInputs, PlanInputError } from '../../use-cases/planning/plan-inputs.ts';
import { planRun } from '../../use-cases/planning/plan-run.ts';
import { SimulationStoppedError } from '../../use-cases/planning/simulate-run.ts';

const settings = environment(['STAGE', 'TABLE_NAME', ...PACING_CAPS, 'TICK_SECONDS']);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const history = new DynamoDbPlanningHistory(
  settings.TABLE_NAME,
  new RunCounters(settings.TABLE_NAME, documentClient),
  documentClient,
);

const PathSchema = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id') });

/** Most contacts a plan takes (a day's list of the largest deployment, with room). */
const MAX_CONTACTS = 5_000_000;
/** Most seconds a plan simulates: API Gateway answers 504 at 29 s, and the inputs' reads and the answer come first. */
const PLAN_SECONDS = 20;

export const PlanBodySchema = z
  .object({
    date: z.iso.date().optional(),
    contacts: z.number().int().min(1).max(MAX_CONTACTS).optional(),
    timeZones: z
      .record(TimeZoneSchema, z.number().int().min(0).max(MAX_CONTACTS))
      .refine((zones) => Object.keys(zones).length <= 600, { message: 'at most 600 time zones' })
      .refine((zones) => Object.values(zones).reduce((sum, count) => sum + count, 0) <= MAX_CONTACTS, {
        message: `at most ${MAX_CONTACTS} contacts`,
      })
      .refine((zones) => Object.values(zones).some((count) => count > 0), { message: 'no contacts' })
      .optional(),
    listName: z.string().min(1).max(200).optional(),
    lines: z.number().int().min(1).max(100_000).optional(),
    dialsPerSecond: z.number().positive().max(10_000).optional(),
    dialBurst: z.number().int().min(1).max(100_000).optional(),
    flowFunctionConcurrency: z.number().int().min(1).max(100_000).optional(),
    tickSeconds: z.number().int().min(1).max(60).optional(),
    tickGapMs: z.number().int().min(0).max(60_000).optional(),
    settleMs: z.number().int().min(0).max(60_000).optional(),
    startAt: z.iso.datetime({ offset: true }).optional(),
    mix: OutcomeMixSchema.optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .strict()
  .refine((body) => body.contacts === undefined || body.timeZones === undefined, {
    message: 'give contacts or timeZones, not both',
    path: ['timeZones'],
  });

export const handler = httpHandler(async (event) => {
  const { campaignId } = parseRequest(PathSchema, event.pathParameters, 'path');
  const body = parseRequest(PlanBodySchema, event.body ? jsonBody(event) : {}, 'body');
  const now = new Date();
  try {
    const request = await gatherPlanInputs(
      { campaigns, history },
      {
        campaignId,
        now,
        date: body.date ?? (await todayOf(campaignId, now)),
        ask: {
          ...(body.contacts !== undefined && { contacts: body.contacts }),
          ...(body.timeZones !== undefined && { timeZones: body.timeZones }),
          ...(body.listName !== undefined && { listName: body.listName }),
          ...(body.lines !== undefined && { lines: body.lines }),
          ...(body.dialsPerSecond !== undefined && { dialsPerSecond: body.dialsPerSecond }),
          ...(body.dialBurst !== undefined && { dialBurst: body.dialBurst }),
          ...(body.flowFunctionConcurrency !== undefined && { flowFunctionConcurrency: body.flowFunctionConcurrency }),
          ...(body.tickSeconds !== undefined && { tickSeconds: body.tickSeconds }),
          ...(body.tickGapMs !== undefined && { tickGapMs: body.tickGapMs }),
          ...(body.settleMs !== undefined && { settleMs: body.settleMs }),
          ...(body.startAt !== undefined && { startAt: new Date(body.startAt) }),
          ...(body.mix !== undefined && { mix: body.mix }),
          ...(body.seed !== undefined && { seed: body.seed }),
        },
        stage: {
          stage: settings.STAGE,
          maxConcurrentCalls: settings.MAX_CONCURRENT_CALLS,
          dialsPerSecond: settings.DIALS_PER_SECOND,
          dialBurst: settings.DIAL_BURST,
          tickSeconds: settings.TICK_SECONDS,
          flowFunctionConcurrency: settings.FLOW_FUNCTION_CONCURRENCY,
        },
      },
    );
    if (request === undefined) throw notFound(`campaign "${campaignId}" does not exist`);
    const deadline = Date.now() + PLAN_SECONDS * 1000;
    return json(200, await planRun(inMemorySimulation, request, { stopWhen: () => Date.now() > deadline }));
  } catch (error) {
    if (error instanceof PlanInputError)
      throw badRequest(error.message, [{ path: `body.${error.field}`, message: error.message }]);
    if (error instanceof SimulationStoppedError) {
      const message =
        `the plan did not finish within ${PLAN_SECONDS} s: a list this large at this dial rate simulates ` +
        `${Math.round(error.simulatedSeconds / 3600)} h of dialling or more; plan it with fewer contacts or a ` +
        `higher --rate (a run this long does not fit a day), or see docs/planning.md ("Speed")`;
      throw new HttpError(422, 'PLAN_TOO_LONG', message, [{ path: 'body.dialsPerSecond', message }]);
    }
    throw error;
  }
});

/** Today in the campaign's time zone (the run a plan is for when the body names no date). */
async function todayOf(campaignId: string, now: Date): Promise<string> {
  const stored = await campaigns.get(campaignId);
  if (stored === undefined) throw notFound(`campaign "${campaignId}" does not exist`);
  return DateTime.fromJSDate(now, { zone: stored.campaign.timeZone }).toISODate() ?? now.toISOString().slice(0, 10);
}
