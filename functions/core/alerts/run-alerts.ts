/**
 * The operator alerts the engine raises itself (README "Alerts"): what happened, which
 * campaign/run, since when, and the next step. Pure: decides and words; AlertPublisher sends and
 * deduplicates (one message per condition per period).
 */

/** An alert as AlertPublisher takes it. */
export interface RunAlert {
  condition: string;
  subject: string;
  message: string;
  periodSeconds: number;
}

/** Ticks in a row with dial errors before the operator is told (the run fails at 5). */
export const DIAL_ERROR_TICKS_ALERT = 2;
/** Ticks in a row throttled by Connect before the operator is told. */
export const THROTTLED_TICKS_ALERT = 3;

const sinceTicks = (now: Date, ticks: number, tickSeconds: number): string =>
  new Date(now.getTime() - ticks * tickSeconds * 1000).toISOString();

/** Dial errors repeating over `ticks` consecutive ticks, or undefined while below the threshold. */
export function dialErrorsAlert(input: {
  campaignId: string;
  date: string;
  ticks: number;
  tickSeconds: number;
  lastError?: string;
  now: Date;
}): RunAlert | undefined {
  if (input.ticks < DIAL_ERROR_TICKS_ALERT) return undefined;
  return {
    condition: `dispatch-errors#${input.campaignId}#${input.date}`,
    subject: `[ALERT] dial errors repeating: ${input.campaignId} ${input.date}`,
    message:
      `DIAL ERRORS REPEATING: the dispatcher of campaign ${input.campaignId} run ${input.date} failed to start calls ` +
      `in ${input.ticks} ticks in a row (since about ${sinceTicks(input.now, input.ticks, input.tickSeconds)}); ` +
      `last error: ${input.lastError ?? 'unknown'}. The run fails after 5 such ticks. Next step: check the Connect ` +
      `instance, contact flow and queue (and the dispatcher logs); fix, then let the run continue or pause it ` +
      `(POST /campaigns/${input.campaignId}/runs/${input.date}/pause).`,
    periodSeconds: 3_600,
  };
}

/** Connect throttling sustained over `ticks` consecutive ticks. */
export function throttlingAlert(input: {
  campaignId: string;
  date: string;
  ticks: number;
  tickSeconds: number;
  dialRate: number;
  now: Date;
}): RunAlert | undefined {
  if (input.ticks < THROTTLED_TICKS_ALERT) return undefined;
  return {
    condition: 'connect-throttling',
    subject: '[ALERT] sustained Amazon Connect throttling',
    message:
      `CONNECT THROTTLING: StartOutboundVoiceContact was throttled in ${input.ticks} ticks in a row of campaign ` +
      `${input.campaignId} run ${input.date} (since about ${sinceTicks(input.now, input.ticks, input.tickSeconds)}); ` +
      `the shared dial rate is down to ${input.dialRate.toFixed(2)}/s. Next step: compare the dialsPerSecond and ` +
      `dialBurst parameters with the Connect account's API quota (Service Quotas) and lower them or request an increase.`,
    periodSeconds: 3_600,
  };
}

/** A run still working when its calling window (its date, everywhere) is over. */
export function runOverdueAlert(input: {
  campaignId: string;
  date: string;
  status: string;
  lastTickAt?: string;
  /** When the run's date ended in the last time zone. */
  dateEndedAt?: Date;
  now: Date;
}): RunAlert {
  const since = input.dateEndedAt === undefined ? '' : ` since ${input.dateEndedAt.toISOString()}`;
  return {
    condition: `run-overdue#${input.campaignId}#${input.date}`,
    subject: `[ALERT] run not finished: ${input.campaignId} ${input.date}`,
    message:
      `RUN NOT FINISHED: campaign ${input.campaignId} run ${input.date} is still ${input.status} although its date is ` +
      `over in every time zone${since} (checked ${input.now.toISOString()}; last tick ${input.lastTickAt ?? 'never'}). ` +
      `Next step: look at its execution in Step Functions; stop it with POST /campaigns/${input.campaignId}/runs/` +
      `${input.date}/stop, and check for leaked leases.`,
    periodSeconds: 6 * 3_600,
  };
}

/** An import that refused more rows than the campaign's `rejectionAlertThreshold`. */
export function importRejectionAlert(input: {
  campaignId: string;
  date: string;
  listId: string;
  rows: number;
  rejected: number;
  threshold: number;
  finishedAt: string;
}): RunAlert {
  const rate = input.rows > 0 ? input.rejected / input.rows : 0;
  return {
    condition: `import-rejections#${input.campaignId}#${input.listId}`,
    subject: `[ALERT] list import rejected ${(rate * 100).toFixed(0)} % of rows: ${input.campaignId} ${input.date}`,
    message:
      `IMPORT REJECTION RATE: list ${input.listId} of campaign ${input.campaignId} run ${input.date}, imported at ` +
      `${input.finishedAt}, rejected ${input.rejected} of ${input.rows} rows (${(rate * 100).toFixed(1)} %, threshold ` +
      `${(input.threshold * 100).toFixed(0)} %). Next step: download the rejected rows ` +
      `(GET /campaigns/${input.campaignId}/lists/${input.listId}/rejected.csv), fix them and upload them again.`,
    periodSeconds: 86_400,
  };
}

/** Leaked lines in one sweep that raise the leaked-leases alert. */
export const LEAK_ALERT_THRESHOLD = 3;

/**
 * Calls that held a line past the longest call and that Connect could not account for (the sweeper
 * settled them UNKNOWN), or undefined below the threshold. One condition engine-wide; the message
 * names every run concerned.
 */
export function leakedLeasesAlert(input: {
  leases: ReadonlyArray<{ campaignId: string; date: string; startedAt: string }>;
  maxCallSeconds: number;
  now: Date;
}): RunAlert | undefined {
  if (input.leases.length < LEAK_ALERT_THRESHOLD) return undefined;
  const perRun = new Map<string, number>();
  for (const lease of input.leases) {
    const run = `campaign ${lease.campaignId} run ${lease.date}`;
    perRun.set(run, (perRun.get(run) ?? 0) + 1);
  }
  const runs = [...perRun].map(([run, count]) => `${run} (${count})`).join(', ');
  const oldest = input.leases.map((lease) => lease.startedAt).sort()[0];
  return {
    condition: 'leaked-leases',
    subject: '[ALERT] calls ended without a contact event',
    message:
      `LEAKED LINES: ${input.leases.length} call attempts held a line past the maximum call length ` +
      `(${input.maxCallSeconds} s) and Connect could not say how they ended: ${runs}; the oldest started at ${oldest} ` +
      `(found ${input.now.toISOString()}). They were settled as UNKNOWN and retried per policy. Next step: check the ` +
      'call-ended function errors and the contact-event dead-letter queue.',
    periodSeconds: 3_600,
  };
}

/**
 * A call could not be settled for a reason retrying cannot fix (the campaign's definition is gone or cannot be
 * applied): its line was released and the contact ended FAILED with the reason. One alert per run and hour.
 */
export function settlementFailedAlert(input: {
  campaignId: string;
  date: string;
  reason: string;
  now: Date;
}): RunAlert {
  return {
    condition: `settlement-failed#${input.campaignId}#${input.date}`,
    subject: `[ALERT] calls of ${input.campaignId} ${input.date} could not be settled`,
    message:
      `SETTLEMENT FAILED: a call of campaign ${input.campaignId} run ${input.date} ended, but its outcome could not be ` +
      `applied (since ${input.now.toISOString()}): ${input.reason}. Its line was released and the contact ended ` +
      'FAILED with this reason; other campaigns keep dialing. Next step: fix the campaign definition ' +
      `(GET /campaigns/${input.campaignId}, then PUT a corrected one); contacts ended FAILED this way are listed in ` +
      'the per-contact export with the reason.',
    periodSeconds: 3_600,
  };
}

/**
 * A run that will not finish in today's calling window at its current pace, said early, while there is still time
 * to act: how many contacts will still be waiting when the window closes, and what to raise. One alert per run and
 * hour.
 */
export function runLateAlert(input: {
  campaignId: string;
  date: string;
  /** Contacts expected to be still waiting when the window closes. */
  waiting: number;
  windowClosesAt: Date;
  /** The campaign's time zone, in which the close is shown. */
  timeZone: string;
  finishAt: Date;
  raise?: { lines?: number; dialsPerSecond?: number };
  now: Date;
}): RunAlert {
  const clock = (at: Date) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: input.timeZone, hour: '2-digit', minute: '2-digit' }).format(at);
  const count = input.waiting.toLocaleString('en-US');
  const raises = [
    input.raise?.lines !== undefined && `raise lines to ${input.raise.lines.toLocaleString('en-US')}`,
    input.raise?.dialsPerSecond !== undefined && `raise the dial rate to ${input.raise.dialsPerSecond}/s`,
  ].filter((raise): raise is string => typeof raise === 'string');
  const act = raises.length > 0 ? `${raises.join(' and ')} or extend the window` : 'extend the window';
  return {
    condition: `run-late#${input.campaignId}#${input.date}`,
    subject: `[ALERT] ${input.campaignId} ${input.date} will not finish by ${clock(input.windowClosesAt)}`,
    message:
      `RUN WILL MISS ITS WINDOW: at the current pace, ${count} contacts of campaign ${input.campaignId} run ` +
      `${input.date} will still be waiting at ${clock(input.windowClosesAt)} (${input.timeZone}); the estimated finish ` +
      `is ${input.finishAt.toISOString()} (estimated ${input.now.toISOString()}). Next step: ${act}. The estimate is ` +
      `in the run status (GET /campaigns/${input.campaignId}/runs/${input.date}, or campaign status).`,
    periodSeconds: 3_600,
  };
}
