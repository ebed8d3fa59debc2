/**
 * One pacing tick of a run (the dialer's "hopper"). It starts
 * `min(free concurrency, dial-rate tokens, campaign share)` calls, spread evenly over the tick,
 * then tells the state machine what to do next.
 *
 * Caps are engine-wide: free concurrency is the configured Connect cap minus every live lease of
 * every campaign, and the dial-rate bucket is one item shared by all dispatchers.
 */
import middy from '@middy/core';
import { z } from 'zod';
import { AlertPublisher } from '../../adapters/alerts.ts';
import { CampaignStore, cachedCampaign } from '../../adapters/campaign-store.ts';
import { clientTokenFor, startCall } from '../../adapters/connect-dialer.ts';
import { OptOuts } from '../../adapters/opt-outs.ts';
import { RunHistory } from '../../adapters/run-history.ts';
import { type DueContact, RunStore, statusCounter } from '../../adapters/run-store.ts';
import { dialErrorsAlert, throttlingAlert } from '../../core/alerts/run-alerts.ts';
import type { Campaign } from '../../core/campaign.ts';
import { clampIntoWindow, isWithinWindow } from '../../core/policy/calling-window.ts';
import {
  type AdaptiveRate,
  adjustRate,
  createTokenBucket,
  planTick,
  type TokenBucket,
  takeScheduled,
  tickAllowance,
} from '../../core/policy/pacing.ts';
import { nextAction } from '../../core/run-clock.ts';
import { environment, PACING_CAPS } from '../../lib/config.ts';
import { logger, maskPhone } from '../../lib/logger.ts';
import { publishMetrics } from '../../lib/metrics.ts';

const settings = environment([
  'TABLE_NAME',
  'ALERTS_TOPIC_ARN',
  'CONNECT_INSTANCE_ARN',
  'CONNECT_QUEUE_ID',
  'ANSWERING_MACHINE_DETECTION',
  'CONNECT_CAMPAIGN_ID',
  'CONTACT_FLOW_ARN',
  'TICK_SECONDS',
  'RETENTION_DAYS',
  'MAX_CALL_SECONDS',
  ...PACING_CAPS,
]);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const runs = new RunStore(settings.TABLE_NAME);
const history = new RunHistory(settings.TABLE_NAME, settings.RETENTION_DAYS);
const optOuts = new OptOuts(settings.TABLE_NAME);
const alerts = new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN);
const instanceId = settings.CONNECT_INSTANCE_ARN.split('/').at(-1) ?? '';
const contactFlowId = settings.CONTACT_FLOW_ARN.split('/').at(-1) ?? '';
/** A lease older than this is a call whose end was never reported (ring + longest script). */
const LEASE_SECONDS = settings.MAX_CALL_SECONDS;
/** Dispatcher errors in a row (ticks) that fail the run, which raises the run-failed alert. */
const MAX_CONSECUTIVE_ERROR_TICKS = 5;

/** Repeating dial errors and sustained throttling reach the operator (deduplicated); a failed alert never fails the tick. */
async function raiseTickAlerts(
  campaignId: string,
  date: string,
  outcome: TickOutcome,
  before: { consecutiveDialErrors: number; consecutiveThrottledTicks: number },
  dialRate: number,
): Promise<void> {
  const now = new Date();
  const tickSeconds = settings.TICK_SECONDS;
  const raised = [
    outcome.errors > 0
      ? dialErrorsAlert({
          campaignId,
          date,
          ticks: before.consecutiveDialErrors + 1,
          tickSeconds,
          lastError: outcome.lastError,
          now,
        })
      : undefined,
    outcome.throttles > 0
      ? throttlingAlert({ campaignId, date, ticks: before.consecutiveThrottledTicks + 1, tickSeconds, dialRate, now })
      : undefined,
  ];
  for (const alert of raised) {
    if (alert === undefined) continue;
    await alerts.publish(alert, now).catch((error: unknown) => logger.error('alert not sent', { error, alert }));
  }
}

export const DispatchInputSchema = z.object({
  campaignId: z.string().min(1),
  date: z.iso.date(),
  tick: z.number().int().min(0),
  generation: z.number().int().min(0),
});

export class DispatcherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DispatcherError';
  }
}

interface TickOutcome {
  started: number;
  throttles: number;
  errors: number;
  lastError?: string;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, milliseconds)));

/** Takes this tick's dial-rate tokens from the shared bucket (optimistic; retried on conflict). */
async function reserveTokens(
  wanted: (allowance: number) => number[],
  now: Date,
): Promise<{ offsets: number[]; rate: AdaptiveRate }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await runs.getDialRate();
    const rate: AdaptiveRate = {
      current: stored?.rate ?? settings.DIALS_PER_SECOND,
      floor: Math.min(0.1, settings.DIALS_PER_SECOND),
      ceiling: settings.DIALS_PER_SECOND,
    };
    let bucket: TokenBucket = stored
      ? {
          ratePerSecond: rate.current,
          burst: settings.DIAL_BURST,
          tokens: stored.tokens,
          updatedAtMs: Date.parse(stored.at),
        }
      : createTokenBucket({ ratePerSecond: rate.current, burst: settings.DIAL_BURST }, now);
    const offsets = wanted(tickAllowance(bucket, now, settings.TICK_SECONDS));
    const taken = takeScheduled(bucket, now, offsets);
    bucket = taken.state;
    const written = await runs.putDialRate(
      { tokens: bucket.tokens, at: new Date(bucket.updatedAtMs).toISOString(), rate: rate.current },
      stored?.version ?? 0,
    );
    if (written) return { offsets: offsets.slice(0, taken.taken), rate };
  }
  throw new DispatcherError('could not reserve dial-rate tokens: the pacing item is contended');
}

async function adaptRate(signal: 'ok' | 'throttled'): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await runs.getDialRate();
    if (stored === undefined) return settings.DIALS_PER_SECOND;
    const next = adjustRate(
      {
        current: stored.rate ?? settings.DIALS_PER_SECOND,
        floor: Math.min(0.1, settings.DIALS_PER_SECOND),
        ceiling: settings.DIALS_PER_SECOND,
      },
      signal,
    );
    if (next.current === stored.rate) return next.current;
    if (await runs.putDialRate({ tokens: stored.tokens, at: stored.at, rate: next.current }, stored.version)) {
      return next.current;
    }
  }
  return settings.DIALS_PER_SECOND;
}

/**
 * Claims one contact and starts its call; every failure path releases what it took.
 * NO_LINE: every line was busy at the claim (the contact still waits); STOP: Connect throttled.
 */
async function dialOne(
  campaign: Campaign,
  contact: DueContact,
  outcome: TickOutcome,
): Promise<'OK' | 'STOP' | 'NO_LINE'> {
  // The number may have opted out (or been uploaded to the do-not-call list) since it was queued.
  if (await optOuts.isListed(contact.phone)) {
    await runs.closeWaiting(contact.campaignId, contact.date, contact.phone, 'SUPPRESSED', contact.attempts);
    logger.info('do-not-call number not dialled', { campaignId: contact.campaignId, phone: maskPhone(contact.phone) });
    return 'OK';
  }
  const now = new Date();
  const claim = await runs.claim(contact, settings.MAX_CONCURRENT_CALLS, now, LEASE_SECONDS);
  if (claim === 'AT_CAPACITY') return 'NO_LINE';
  if (claim === 'CONTACT_TAKEN') return 'OK';
  const attempt = contact.attempts + 1;
  const ref = { campaignId: contact.campaignId, date: contact.date, phone: contact.phone, attempt };
  const result = await startCall({
    instanceId,
    contactFlowId,
    queueId: settings.CONNECT_QUEUE_ID || undefined,
    ...(settings.ANSWERING_MACHINE_DETECTION && {
      answeringMachineDetection: { campaignId: settings.CONNECT_CAMPAIGN_ID || undefined },
    }),
    destination: contact.phone,
    source: campaign.callerId,
    clientToken: clientTokenFor(contact.campaignId, contact.date, contact.phone, attempt),
    ringTimeoutSeconds: campaign.run.ringTimeoutSeconds,
    attributes: {
      campaignId: contact.campaignId,
      runDate: contact.date,
      attempt: String(attempt),
      ...(contact.name !== undefined && { name: contact.name }),
      ...(contact.language !== undefined && { language: contact.language }),
    },
  });
  switch (result.kind) {
    case 'STARTED':
      await runs.recordCall(ref, result.connectContactId, settings.RETENTION_DAYS);
      outcome.started++;
      return 'OK';
    case 'INVALID_NUMBER':
      logger.warn('number refused by Connect', { phone: maskPhone(contact.phone), error: result.error });
      await runs.finishAttempt({
        ref,
        outcome: 'INVALID_NUMBER',
        next: { kind: 'FINAL', status: 'INVALID_NUMBER' },
        endedAt: new Date(),
      });
      return 'OK';
    case 'THROTTLED':
      outcome.throttles++;
      await runs.finishAttempt({
        ref,
        outcome: 'FAILED',
        next: { kind: 'RETRY', at: new Date(Date.now() + 1_000) },
        endedAt: new Date(),
        undoAttempt: true,
      });
      return 'STOP';
    case 'ERROR':
      outcome.errors++;
      outcome.lastError = result.error;
      logger.error('call could not be started', { phone: maskPhone(contact.phone), error: result.error });
      await runs.finishAttempt({
        ref,
        outcome: 'FAILED',
        next: { kind: 'RETRY', at: new Date(Date.now() + 30_000) },
        endedAt: new Date(),
        undoAttempt: true,
      });
      return 'OK';
  }
}

export const handler = middy().handler(async (event: unknown) => {
  const input = DispatchInputSchema.parse(event);
  const { campaignId, date } = input;
  const tickStart = new Date();
  const run = await runs.getRun(campaignId, date);
  if (run === undefined) throw new DispatcherError(`run ${campaignId}/${date} does not exist`);
  const stored = await cachedCampaign(campaigns, campaignId);
  if (stored === undefined) throw new DispatcherError(`campaign "${campaignId}" no longer exists`);
  const campaign = stored.campaign;
  const outcome: TickOutcome = { started: 0, throttles: 0, errors: 0 };

  if (run.status === 'RUNNING') {
    const globalInFlight = await runs.inFlight();
    const active = await runs.activeRuns();
    // More contacts than free lines: lines that free up during the tick are used in the same tick.
    const due = await runs.dueContacts(campaignId, date, tickStart, Math.min(1_000, settings.MAX_CONCURRENT_CALLS));
    if (due.length > 0) {
      const self = {
        id: `${campaignId}#${date}`,
        weight: campaign.run.weight,
        inFlight: run.inFlight,
        due: due.length,
      };
      const demands = active.map((other) =>
        other.campaignId === campaignId && other.date === date
          ? self
          : { id: `${other.campaignId}#${other.date}`, weight: other.weight, inFlight: other.inFlight, due: other.due },
      );
      if (!demands.some((demand) => demand.id === self.id)) demands.push(self);
      // Tokens are shared by weight; lines are checked at each start (below), not once per tick, so
      // a 3-second call that ends mid-tick frees its line for the rest of this tick.
      const { offsets } = await reserveTokens((allowance) => {
        const plan = planTick({
          capacity: settings.MAX_CONCURRENT_CALLS,
          inFlight: 0,
          campaigns: demands,
          tokensAvailable: allowance,
          tickSeconds: settings.TICK_SECONDS,
        });
        return plan.campaigns.find((entry) => entry.id === self.id)?.startOffsetsMs ?? [];
      }, tickStart);

      logger.debug('tick plan', { due: due.length, offsets: offsets.length, globalInFlight });
      let stop = false;
      let freeLines = settings.MAX_CONCURRENT_CALLS - globalInFlight;
      const queue = [...due];
      const dials: Array<Promise<unknown>> = [];
      for (const offset of offsets) {
        if (stop || queue.length === 0) break;
        await sleep(tickStart.getTime() + offset - Date.now());
        if (freeLines <= 0) {
          // A cheap read instead of a transaction bound to fail: are lines free again?
          freeLines = settings.MAX_CONCURRENT_CALLS - (await runs.inFlight());
          if (freeLines <= 0) continue;
        }
        const contact = queue.shift();
        if (contact === undefined || stop) break;
        if (contact.status !== 'PENDING') continue;
        const now = new Date();
        if (!isWithinWindow(campaign.callingWindow, contact.timeZone, now)) {
          await runs.reschedule(
            campaignId,
            date,
            contact.phone,
            clampIntoWindow(campaign.callingWindow, contact.timeZone, now),
          );
          continue;
        }
        freeLines--;
        dials.push(
          dialOne(campaign, contact, outcome).then(
            (signal) => {
              if (signal === 'STOP') stop = true;
              if (signal === 'NO_LINE') {
                freeLines = 0;
                queue.unshift(contact);
              }
            },
            (error: unknown) => {
              outcome.errors++;
              outcome.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
              logger.error('dial failed', { error });
            },
          ),
        );
      }
      await Promise.all(dials);
    }
  }

  const dialRate = await adaptRate(outcome.throttles > 0 ? 'throttled' : 'ok');
  const after = await runs.getRun(campaignId, date);
  if (after === undefined) throw new DispatcherError(`run ${campaignId}/${date} disappeared`);
  const waiting = after.counters[statusCounter('PENDING')] ?? 0;
  await runs.recordTick(campaignId, date, {
    dialRate,
    throttles: outcome.throttles,
    dialErrors: outcome.errors,
    due: waiting,
    inFlight: after.inFlight,
  });
  // The charts' history: a sample lost to an error costs one point of a chart, never the tick.
  await history
    .recordSample(campaignId, date, {
      at: new Date().toISOString(),
      inFlight: after.inFlight,
      dialRate,
      attemptsStarted: after.counters.attemptsStarted ?? 0,
    })
    .catch((error: unknown) => logger.warn('history sample not recorded', { error }));
  publishMetrics(
    { campaignId },
    {
      Dials: outcome.started,
      Throttles: outcome.throttles,
      DialErrors: outcome.errors,
      CallsInFlight: after.inFlight,
      DialRate: dialRate,
    },
  );
  await raiseTickAlerts(campaignId, date, outcome, after, dialRate);
  if (outcome.errors > 0 && after.consecutiveDialErrors + 1 >= MAX_CONSECUTIVE_ERROR_TICKS) {
    throw new DispatcherError(
      `${MAX_CONSECUTIVE_ERROR_TICKS} ticks in a row failed to start calls; last error: ${outcome.lastError}`,
    );
  }
  const next = nextAction({
    campaignId,
    date,
    generation: input.generation,
    tick: input.tick,
    now: new Date(),
    tickSeconds: settings.TICK_SECONDS,
    status: after.status,
    inFlight: after.inFlight,
    waiting,
    nextDue: waiting > 0 ? await runs.nextDue(campaignId, date) : undefined,
    dialedThisTick: outcome.started > 0,
  });
  logger.info('tick', { campaignId, date, tick: input.tick, ...outcome, inFlight: after.inFlight, waiting, next });
  return { tick: input.tick + 1, started: outcome.started, throttles: outcome.throttles, ...next };
});
