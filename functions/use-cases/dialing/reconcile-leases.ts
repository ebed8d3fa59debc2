/**
 * Reconciling lines whose calls the engine lost track of (run every minute by the sweeper):
 *
 * - **A lease without a ContactId** older than `unrecordedSeconds`: the dispatcher claimed the attempt and may
 *   have crashed before, during or after asking Connect. The same request is sent again (same ClientToken, same
 *   parameters): if Connect placed the call, it answers with that call's ContactId and places nothing; if it did
 *   not, the attempt is dialled now, once, and its lease gets a new deadline. Outside the callee's calling window
 *   nothing is sent: the attempt is given back and dialled when the window opens (the same ClientToken then finds
 *   the call, if there was one). Only when Connect keeps refusing past twice the longest call is the attempt
 *   settled from what the flow recorded.
 * - **A lease older than the longest call** (`staleAt`): its end was never reported (a lost contact event). It is
 *   settled from DescribeContact when Connect knows the end, else from the flow's own record of the attempt
 *   (never UNKNOWN when the person answered), else UNKNOWN. A call Connect says still goes on (a callee put
 *   through to a queue, a flow slowed down) keeps its line for another longest call: Connect counts it against
 *   the concurrent-call quota, so giving the line to another call would exceed it. When Connect is too busy to
 *   say, the lease waits for the next sweep.
 *
 * Each lease is handled on its own: one that fails is counted and the others go on.
 */

import { leakedLeasesAlert } from '../../core/alerts/run-alerts.ts';
import type { Campaign } from '../../core/campaign.ts';
import { isWithinWindow, nextWindowOpening } from '../../core/policy/calling-window.ts';
import { logger, maskPhone } from '../../lib/logger.ts';
import { TransientError } from '../../lib/transient-error.ts';

import type {
  AttemptRef,
  CallEndSignals,
  CallMap,
  CallStarter,
  Clock,
  Contacts,
  LeaseRecord,
  LineLeases,
} from './ports.ts';
import { type SettlePorts, settleAttempt } from './settle-attempt.ts';

export interface ReconcilePorts extends SettlePorts {
  leases: Pick<LineLeases, 'finish' | 'leasesToReconcile' | 'noteContactId'>;
  contacts: Pick<Contacts, 'get'>;
  calls: CallMap;
  dialer: CallStarter;
  /** How a placed call ended, from Connect (DescribeContact); undefined while it goes on. */
  describeEnd(connectContactId: string): Promise<CallEndSignals | undefined>;
  clock: Clock;
}

export interface ReconcileSettings {
  /** Longest a call can hold a line (ring + script). */
  maxCallSeconds: number;
  /** Age after which a lease still without a ContactId is reconciled (the dispatcher writes it within a second). */
  unrecordedSeconds: number;
}

export interface ReconcileReport {
  leases: number;
  /** Calls found again by their ClientToken (or placed now) and their ContactId recorded. */
  recovered: number;
  /** Attempts given back because their callee's window had closed. */
  returned: number;
  /** Leases settled from DescribeContact or the flow's record. */
  settled: number;
  /** Leases settled with nothing known (UNKNOWN). */
  unknown: number;
  /** Leases past the longest call whose calls Connect says still go on: kept, with a new deadline. */
  live: number;
  failed: number;
  leakAlert?: ReturnType<typeof leakedLeasesAlert>;
}

export async function reconcileLeases(ports: ReconcilePorts, settings: ReconcileSettings): Promise<ReconcileReport> {
  const now = ports.clock.now();
  const staleAt = now;
  const leases = await ports.leases.leasesToReconcile({
    staleAt,
    unrecordedAt: new Date(now.getTime() - settings.unrecordedSeconds * 1000),
  });
  const report: ReconcileReport = {
    leases: leases.length,
    recovered: 0,
    returned: 0,
    settled: 0,
    unknown: 0,
    live: 0,
    failed: 0,
  };
  const leaked: LeaseRecord[] = [];
  for (const lease of leases) {
    try {
      const result =
        lease.connectContactId === undefined
          ? await recover(ports, settings, lease)
          : await settleStale(ports, settings, lease, lease.connectContactId);
      report[result]++;
      if (result === 'unknown') leaked.push(lease);
    } catch (error) {
      report.failed++;
      logger.error('lease not reconciled; the next sweep tries again', {
        campaignId: lease.campaignId,
        date: lease.date,
        phone: maskPhone(lease.phone),
        attempt: lease.attempt,
        error,
      });
    }
  }
  const alert = leakedLeasesAlert({ leases: leaked, maxCallSeconds: settings.maxCallSeconds, now });
  return alert === undefined ? report : { ...report, leakAlert: alert };
}

type Result = 'recovered' | 'returned' | 'settled' | 'unknown' | 'live';

/** A lease whose call is not recorded: find (or place) the call by its ClientToken, or give the attempt back. */
async function recover(ports: ReconcilePorts, settings: ReconcileSettings, lease: LeaseRecord): Promise<Result> {
  const ref: AttemptRef = {
    campaignId: lease.campaignId,
    date: lease.date,
    phone: lease.phone,
    attempt: lease.attempt,
  };
  const contact = await ports.contacts.get(ref.campaignId, ref.date, ref.phone);
  const campaign: Campaign | undefined = (await ports.campaigns.get(ref.campaignId))?.campaign;
  const now = ports.clock.now();
  if (contact === undefined || campaign === undefined) {
    // Nothing to dial with: settle from what the flow recorded.
    return settleFrom(ports, ref, { unknown: true });
  }
  const entry = contact.attemptLog.find((logged) => logged.n === ref.attempt);
  const counted = entry?.counted === true;
  if (!isWithinWindow(campaign.callingWindow, contact.timeZone, now)) {
    const opens = nextWindowOpening(campaign.callingWindow, contact.timeZone, now);
    await ports.leases.finish({
      ref,
      line: lease.line,
      logIndex: ref.attempt - 1,
      counted,
      outcome: 'FAILED',
      next: opens === undefined ? { kind: 'FINAL', status: 'EXPIRED' } : { kind: 'RETRY', at: opens },
      endedAt: now,
      undoAttempt: true,
    });
    logger.warn('unrecorded attempt given back: its calling window has closed', {
      campaignId: ref.campaignId,
      phone: maskPhone(ref.phone),
      attempt: ref.attempt,
    });
    return 'returned';
  }
  const result = await ports.dialer.start({
    ref,
    // The same caller number as the first try (its tier counted it then), so the ClientToken's request is the same.
    source: entry?.callerId ?? campaign.callerId,
    ringTimeoutSeconds: campaign.run.ringTimeoutSeconds,
    ...(contact.name !== undefined && { name: contact.name }),
    ...(contact.language !== undefined && { language: contact.language }),
  });
  switch (result.kind) {
    case 'STARTED': {
      await Promise.all([
        ports.calls.record(ref, result.connectContactId),
        // A call found again, or placed only now: it holds the line for at most another longest call.
        ports.leases.noteContactId(
          ref,
          lease.line,
          result.connectContactId,
          new Date(now.getTime() + settings.maxCallSeconds * 1000),
        ),
      ]);
      const ended = await ports.describeEnd(result.connectContactId).catch(() => undefined);
      if (ended !== undefined) return settleFrom(ports, ref, ended);
      logger.info('unrecorded call found by its ClientToken', {
        campaignId: ref.campaignId,
        phone: maskPhone(ref.phone),
        attempt: ref.attempt,
      });
      return 'recovered';
    }
    case 'INVALID_NUMBER':
      await ports.leases.finish({
        ref,
        line: lease.line,
        logIndex: ref.attempt - 1,
        counted,
        outcome: 'INVALID_NUMBER',
        next: { kind: 'FINAL', status: 'INVALID_NUMBER' },
        endedAt: now,
      });
      return 'settled';
    case 'THROTTLED':
    case 'ERROR': {
      // Connect refused for longer than any call lasts: settle from what the flow recorded.
      const givenUp = now.getTime() - Date.parse(lease.startedAt) > 2 * settings.maxCallSeconds * 1000;
      if (givenUp) return settleFrom(ports, ref, { unknown: true });
      // Connect is busy or refusing: the next sweep tries again; the lease keeps the line meanwhile.
      throw new Error(`Connect did not answer for the unrecorded attempt: ${result.error}`);
    }
  }
}

/** A lease past the longest call: settle it from Connect's record of the call, else from the flow's. */
async function settleStale(
  ports: ReconcilePorts,
  settings: ReconcileSettings,
  lease: LeaseRecord,
  connectContactId: string,
): Promise<Result> {
  const ref: AttemptRef = {
    campaignId: lease.campaignId,
    date: lease.date,
    phone: lease.phone,
    attempt: lease.attempt,
  };
  let ended: CallEndSignals | undefined;
  try {
    ended = await ports.describeEnd(connectContactId);
    if (ended === undefined) {
      const until = new Date(ports.clock.now().getTime() + settings.maxCallSeconds * 1000);
      await ports.leases.noteContactId(ref, lease.line, connectContactId, until);
      logger.warn('call past the longest call still goes on in Connect: its line stays held', {
        campaignId: ref.campaignId,
        phone: maskPhone(ref.phone),
        attempt: ref.attempt,
        until: until.toISOString(),
      });
      return 'live';
    }
  } catch (error) {
    if (error instanceof TransientError) throw error;
    logger.warn('DescribeContact failed; settling from the flow record', { error });
  }
  return settleFrom(ports, ref, ended ?? { unknown: true });
}

async function settleFrom(ports: ReconcilePorts, ref: AttemptRef, signals: CallEndSignals): Promise<Result> {
  const result = await settleAttempt(ports, ref, signals);
  if (!result.settled) return 'settled';
  return result.outcome === 'UNKNOWN' ? 'unknown' : 'settled';
}
