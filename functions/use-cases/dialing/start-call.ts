/**
 * How a call starts: one waiting contact, from its claim to a ringing phone.
 *
 * 1. A number that joined the do-not-call list since it was queued is closed as SUPPRESSED, never dialled.
 * 2. The contact's next attempt and a line are claimed in one transaction (functions/adapters/line-leases.ts).
 * 3. Connect is asked to place the call, with a ClientToken derived from run, contact and attempt: sending the
 *    same attempt again returns the first call instead of dialling twice.
 * 4. The ContactId is written down twice: the call map (contact events carry only it) and the lease (for
 *    reconciliation). If that fails, the call still goes on: its end is resolved from the contact's own
 *    attributes, and the lease is reconciled within two minutes (reconcile-leases.ts).
 *
 * A dial Connect refused before it rang gives its claim back (the attempt is undone); a number Connect will never
 * reach ends INVALID_NUMBER.
 */
import { logger, maskPhone } from '../../lib/logger.ts';
import type {
  AttemptRef,
  CallMap,
  CallStarter,
  Clock,
  Contacts,
  DueContact,
  LineLeases,
  LineShard,
  OptOuts,
} from './ports.ts';

export interface StartCallPorts {
  leases: LineLeases;
  contacts: Pick<Contacts, 'closeWaiting'>;
  calls: CallMap;
  dialer: CallStarter;
  optOuts: OptOuts;
  clock: Clock;
}

export interface StartCallSettings {
  /** A lease older than this is a call whose end was never reported (ring + the longest script). */
  leaseSeconds: number;
  /** When a contact whose dial Connect throttled is due again. */
  retryAfterThrottleMs?: number;
  /** When a contact whose dial failed for another reason is due again. */
  retryAfterErrorMs?: number;
}

/** What the caller (`campaign.callerId`, `campaign.run.ringTimeoutSeconds`) dials with. */
export interface DialSettings {
  callerId: string;
  ringTimeoutSeconds: number;
}

export type StartCallOutcome =
  | { kind: 'STARTED'; connectContactId: string }
  /** On the do-not-call list: closed without a call. */
  | { kind: 'SUPPRESSED' }
  /** Claimed by someone else, or no longer waiting. */
  | { kind: 'TAKEN' }
  /** The chosen line shard was full: try another, or wait. */
  | { kind: 'SHARD_FULL' }
  | { kind: 'INVALID_NUMBER'; error: string }
  | { kind: 'THROTTLED'; error: string }
  | { kind: 'ERROR'; error: string };

/**
 * Did this outcome send a StartOutboundVoiceContact, and so use one of the dial rate's tokens? Refused requests
 * count too (Connect's rate limit counts requests, not calls); only an outcome that never asked Connect gives
 * its token back.
 */
export const usedDialToken = (outcome: StartCallOutcome): boolean =>
  outcome.kind !== 'SUPPRESSED' && outcome.kind !== 'TAKEN' && outcome.kind !== 'SHARD_FULL';

/** Claims `contact`'s next attempt on `line` and places its call. */
export async function startCall(
  ports: StartCallPorts,
  settings: StartCallSettings,
  dial: DialSettings,
  contact: DueContact,
  line: LineShard,
): Promise<StartCallOutcome> {
  const { leases, dialer, clock } = ports;
  if (await ports.optOuts.isListed(contact.phone)) {
    await ports.contacts.closeWaiting(contact.campaignId, contact.date, contact.phone, 'SUPPRESSED', contact.attempts);
    logger.info('do-not-call number not dialled', { campaignId: contact.campaignId, phone: maskPhone(contact.phone) });
    return { kind: 'SUPPRESSED' };
  }
  const claim = await leases.claim(contact, line, clock.now(), settings.leaseSeconds);
  if (claim === 'SHARD_FULL') return { kind: 'SHARD_FULL' };
  if (claim === 'CONTACT_TAKEN') return { kind: 'TAKEN' };

  const ref: AttemptRef = {
    campaignId: contact.campaignId,
    date: contact.date,
    phone: contact.phone,
    attempt: contact.attempts + 1,
  };
  const result = await dialer.start({
    ref,
    source: dial.callerId,
    ringTimeoutSeconds: dial.ringTimeoutSeconds,
    ...(contact.name !== undefined && { name: contact.name }),
    ...(contact.language !== undefined && { language: contact.language }),
  });
  const logIndex = ref.attempt - 1;
  switch (result.kind) {
    case 'STARTED':
      await Promise.all([
        ports.calls.record(ref, result.connectContactId),
        leases.noteContactId(ref, line.shard, result.connectContactId),
      ]).catch((error: unknown) =>
        // The call is placed and holds its line: its end resolves it from Connect, and reconciliation notes it.
        logger.warn('call placed but not recorded yet; reconciliation will', {
          campaignId: ref.campaignId,
          phone: maskPhone(ref.phone),
          attempt: ref.attempt,
          error,
        }),
      );
      return { kind: 'STARTED', connectContactId: result.connectContactId };
    case 'INVALID_NUMBER':
      logger.warn('number refused by Connect', { phone: maskPhone(ref.phone), error: result.error });
      await leases.finish({
        ref,
        line: line.shard,
        logIndex,
        outcome: 'INVALID_NUMBER',
        next: { kind: 'FINAL', status: 'INVALID_NUMBER' },
        endedAt: clock.now(),
      });
      return result;
    case 'THROTTLED':
    case 'ERROR': {
      const delay =
        result.kind === 'THROTTLED' ? (settings.retryAfterThrottleMs ?? 1_000) : (settings.retryAfterErrorMs ?? 30_000);
      if (result.kind === 'ERROR') {
        logger.error('call could not be started', { phone: maskPhone(ref.phone), error: result.error });
      }
      await leases.finish({
        ref,
        line: line.shard,
        logIndex,
        outcome: 'FAILED',
        next: { kind: 'RETRY', at: new Date(clock.now().getTime() + delay) },
        endedAt: clock.now(),
        undoAttempt: true,
      });
      return result;
    }
  }
}
