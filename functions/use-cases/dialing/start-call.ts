/**
 * How a call starts: one waiting contact, from its claim to a ringing phone.
 *
 * 1. A number that joined the do-not-call list since it was queued is closed as SUPPRESSED, never dialled.
 * 2. Frequency caps: the person's ledger is read and the stage's rules decide (functions/core/policy/
 *    frequency-caps.ts). A person a cap holds back waits until the cap frees them, within their calling window, or
 *    ends CAPPED when that is after the run.
 * 3. A caller number with room in every tier is chosen from the campaign's pool, if it has one (caller-pool.ts);
 *    when none has room, the contact waits for the next tick.
 * 4. The contact's next attempt and a line are claimed in one transaction (functions/adapters/line-leases.ts),
 *    which also writes the call into the person's ledger and the caller number's usage, each conditional on the
 *    version read: a ledger or number changed meanwhile (another campaign called the person, another dispatcher
 *    used the number) is read again and decided again, so no cap or tier is ever passed.
 * 5. Connect is asked to place the call, with a ClientToken derived from run, contact and attempt: sending the
 *    same attempt again returns the first call instead of dialling twice.
 * 6. The ContactId is written down twice: the call map (contact events carry only it) and the lease (for
 *    reconciliation). If that fails, the call still goes on: its end is resolved from the contact's own
 *    attributes, and the lease is reconciled within two minutes (reconcile-leases.ts).
 *
 * A dial Connect refused before it rang gives its claim back (the attempt is undone); a number Connect will never
 * reach ends INVALID_NUMBER.
 */
import type { CallScope, CapRule } from '../../core/policy/contact-policy.ts';
import { decideCaps, foldLedger, ledgerCallId, recordCall } from '../../core/policy/frequency-caps.ts';
import { logger, maskPhone } from '../../lib/logger.ts';
import type { CallerPoolView } from './caller-pool.ts';
import type {
  AttemptRef,
  CallMap,
  CallStarter,
  ClaimGuards,
  Clock,
  Contacts,
  DueContact,
  LineLeases,
  LineShard,
  OptOuts,
  PersonLedgers,
} from './ports.ts';

export interface StartCallPorts {
  leases: LineLeases;
  contacts: Pick<Contacts, 'closeWaiting' | 'holdForCap'>;
  calls: CallMap;
  dialer: CallStarter;
  optOuts: OptOuts;
  clock: Clock;
  /** People's contact ledgers: needed when the campaign's calls count towards a frequency cap. */
  ledgers?: PersonLedgers;
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
  /** The frequency caps of the campaign, when a rule counts its calls. */
  caps?: CapSettings;
  /** The tick's view of the campaign's caller-ID pool, when it dials from one (instead of `callerId`). */
  pool?: CallerPoolView;
}

/** The stage's frequency-cap rules as they bear on one campaign. */
export interface CapSettings {
  /**
   * Every rule of the stage: the ledger keeps calls as long as the longest of them needs (another campaign's rule
   * may count this call). Caps are given only when at least one rule counts the campaign's calls.
   */
  rules: readonly CapRule[];
  /** Rules that hold the campaign back (the counting ones it is not exempt from). */
  holding: readonly CapRule[];
  /** What the rules know of the campaign's calls. */
  scope: CallScope;
  /** The first moment at or after `from` the contact may be called (its calling window, legal hours). */
  nextCallable(contact: DueContact, from: Date): Date | undefined;
  /** The end of the run: a contact a cap holds past it ends CAPPED. */
  runEndsAt: Date;
}

export type StartCallOutcome =
  | { kind: 'STARTED'; connectContactId: string }
  /** On the do-not-call list: closed without a call. */
  | { kind: 'SUPPRESSED' }
  /** Claimed by someone else, or no longer waiting. */
  | { kind: 'TAKEN' }
  /** The chosen line shard was full: try another, or wait. */
  | { kind: 'SHARD_FULL' }
  /** A frequency cap holds the person back: the contact waits until `until`, or ended CAPPED (`final`). */
  | { kind: 'CAPPED'; rule: string; until: Date; final: boolean }
  /** No number of the caller-ID pool has room: the contact stays due; the pool has room again at `roomAt`. */
  | { kind: 'POOL_EXHAUSTED'; roomAt: Date }
  | { kind: 'INVALID_NUMBER'; error: string }
  | { kind: 'THROTTLED'; error: string }
  | { kind: 'ERROR'; error: string };

/**
 * Did this outcome send a StartOutboundVoiceContact, and so use one of the dial rate's tokens? Refused requests
 * count too (Connect's rate limit counts requests, not calls); only an outcome that never asked Connect gives
 * its token back.
 */
export const usedDialToken = (outcome: StartCallOutcome): boolean =>
  outcome.kind !== 'SUPPRESSED' &&
  outcome.kind !== 'TAKEN' &&
  outcome.kind !== 'SHARD_FULL' &&
  outcome.kind !== 'CAPPED' &&
  outcome.kind !== 'POOL_EXHAUSTED';

/** Claims that meet a changed ledger or caller number read it again and decide again, this many times at most. */
const MAX_GUARD_ROUNDS = 5;

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
  let source = dial.callerId;
  let claimed = false;
  for (let round = 0; round < MAX_GUARD_ROUNDS && !claimed; round++) {
    const guards: ClaimGuards = {};
    const now = clock.now();
    if (dial.caps !== undefined && ports.ledgers !== undefined) {
      const held = await capsFor(ports, dial.caps, contact, now, guards);
      if (held !== undefined) return held;
    }
    if (dial.pool !== undefined) {
      const choice = dial.pool.choose(contact.phone, now);
      if (choice.kind === 'EXHAUSTED') return { kind: 'POOL_EXHAUSTED', roomAt: choice.roomAt };
      guards.callerId = choice.guard;
      source = choice.number;
    }
    const claim = await leases.claim(contact, line, now, settings.leaseSeconds, guards);
    if (claim === 'SHARD_FULL') return { kind: 'SHARD_FULL' };
    if (claim === 'CONTACT_TAKEN') return { kind: 'TAKEN' };
    if (claim === 'CALLER_ID_CHANGED' && guards.callerId !== undefined) {
      await dial.pool?.refresh(guards.callerId.number);
      continue;
    }
    if (claim === 'PERSON_CHANGED') continue;
    if (claim === 'CLAIMED') {
      if (guards.callerId !== undefined) dial.pool?.claimed(guards.callerId);
      claimed = true;
    }
  }
  // The ledger or the number kept changing under us: leave the contact for the next tick.
  if (!claimed) return { kind: 'TAKEN' };

  const ref: AttemptRef = {
    campaignId: contact.campaignId,
    date: contact.date,
    phone: contact.phone,
    attempt: contact.attempts + 1,
  };
  const result = await dialer.start({
    ref,
    source,
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
        counted: dial.caps !== undefined && ports.ledgers !== undefined,
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
        counted: dial.caps !== undefined && ports.ledgers !== undefined,
      });
      return result;
    }
  }
}

/**
 * Reads the person's ledger and applies the caps: undefined when the call may go ahead (with the ledger write put
 * into `guards`), otherwise the hold, already recorded on the contact.
 */
async function capsFor(
  ports: StartCallPorts,
  caps: CapSettings,
  contact: DueContact,
  now: Date,
  guards: ClaimGuards,
): Promise<StartCallOutcome | undefined> {
  const ledger = await (ports.ledgers as PersonLedgers).read(contact.phone);
  const calls = foldLedger(ledger);
  const decision = decideCaps(caps.holding, calls, now);
  if (decision.kind === 'ALLOWED') {
    guards.person = {
      version: ledger.version,
      calls: recordCall(
        ledger,
        {
          id: ledgerCallId(contact.campaignId, contact.date, contact.attempts + 1),
          at: now.toISOString(),
          ...caps.scope,
        },
        caps.rules,
        now,
      ),
    };
    return undefined;
  }
  const next = caps.nextCallable(contact, decision.until);
  const final = next === undefined || next.getTime() >= caps.runEndsAt.getTime();
  const until = next ?? decision.until;
  await ports.contacts.holdForCap(contact, { rule: decision.rule, until, final });
  logger.info(final ? 'contact capped' : 'contact held by a frequency cap', {
    campaignId: contact.campaignId,
    phone: maskPhone(contact.phone),
    rule: decision.rule,
    until: until.toISOString(),
  });
  return { kind: 'CAPPED', rule: decision.rule, until, final };
}
