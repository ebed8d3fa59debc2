/**
 * What dialing needs from the outside world, as small interfaces. The DynamoDB and Connect adapters
 * (functions/adapters/) implement them in AWS and in the local cloud; the in-memory ones of the tests and the
 * pacing benchmark implement them on a simulated clock. Nothing here knows which.
 */
import type { AttemptOutcome } from '../../core/campaign.ts';
import type { CallerUsage, TierUsage } from '../../core/policy/caller-id-tiers.ts';
import type { LedgerCall, PersonLedger } from '../../core/policy/frequency-caps.ts';

/** The attempt a lease, a call and its answers belong to. */
export interface AttemptRef {
  campaignId: string;
  date: string;
  phone: string;
  attempt: number;
}

export interface AttemptLogEntry {
  n: number;
  at: string;
  /** The line shard whose lease this attempt holds (or held). */
  line?: number;
  /** The caller number the call was placed from, when the campaign dials from a caller-ID pool. */
  callerId?: string;
  /** The call is in the person's contact ledger (frequency caps): its end is recorded there too. */
  counted?: boolean;
  connectContactId?: string;
  outcome?: AttemptOutcome;
  endedAt?: string;
  talkSeconds?: number;
}

/** The contact flow's progress in one attempt (written by record-answer). */
export interface FlowProgress {
  attempt?: number;
  questionsAnswered: number;
  completed: boolean;
  optedOut: boolean;
  transferred?: boolean;
}

export interface ContactRecord {
  campaignId: string;
  date: string;
  phone: string;
  status: string;
  attempts: number;
  attemptLog: AttemptLogEntry[];
  timeZone: string;
  name?: string;
  externalId?: string;
  language?: string;
  attributes: Record<string, string>;
  nextAttemptAt?: string;
  outcome?: AttemptOutcome;
  answers: Record<string, string>;
  flow?: FlowProgress;
  /** The frequency cap that last held the contact back, and until when. */
  heldBy?: { rule: string; until: string };
  /** The lawful basis the campaign declared when the contact was imported. */
  lawfulBasis?: string;
}

/** A waiting contact as the due index shows it: enough to dial it. */
export type DueContact = Pick<
  ContactRecord,
  'campaignId' | 'date' | 'phone' | 'status' | 'attempts' | 'timeZone' | 'name' | 'language'
>;

/** One line shard: how many of its lines are in use, and how many it may hold. */
export interface LineShard {
  shard: number;
  cap: number;
  inFlight: number;
}

/**
 * CONTACT_TAKEN: claimed by someone else or no longer waiting; SHARD_FULL: that shard had no free line;
 * PERSON_CHANGED: the person's ledger changed since it was read (another call, an answer): read it and decide again;
 * CALLER_ID_CHANGED: the caller number was used since its usage was read: read it and choose again.
 */
export type ClaimResult = 'CLAIMED' | 'CONTACT_TAKEN' | 'SHARD_FULL' | 'PERSON_CHANGED' | 'CALLER_ID_CHANGED';

/**
 * What a claim writes besides the contact and the line, each conditional on the version read: the person's ledger
 * with this call in it (frequency caps), the caller number's usage with this call counted (rate tiers).
 */
export interface ClaimGuards {
  person?: { version: number; calls: LedgerCall[] };
  callerId?: { number: string; version: number; usage: TierUsage };
}

/** People's contact ledgers (frequency caps across campaigns), read strongly consistently. */
export interface PersonLedgers {
  /** The ledger of a number (version 0 and no calls when it has none). */
  read(phone: string): Promise<PersonLedger>;
}

/** Caller numbers' use against their tiers, read strongly consistently. */
export interface CallerUsages {
  read(numbers: readonly string[]): Promise<CallerUsage[]>;
}

export type NextAttempt = { kind: 'RETRY'; at: Date } | { kind: 'FINAL'; status: string };

export interface FinishAttemptInput {
  ref: AttemptRef;
  /** The line shard the attempt's lease is in (its attempt-log entry says). */
  line: number;
  outcome: AttemptOutcome;
  next: NextAttempt;
  endedAt: Date;
  talkSeconds?: number;
  /**
   * How long the attempt held its line, from its claim to now (its settlement): added to the run's `lineSeconds`
   * and `lineAttempts` counters, from which the live estimate takes the run's line time.
   */
  lineSeconds?: number;
  /** Put the contact back as if this attempt never happened (the dial was refused before it rang). */
  undoAttempt?: boolean;
  /** Where the attempt's entry is in the contact's attempt log (attempts are logged in order: `attempt − 1`). */
  logIndex: number;
  /** A person picked up for this contact for the first time: counted in `contactsReached`. */
  firstReach?: boolean;
  /** Why the attempt could not be settled normally (it ends FAILED): kept on the contact for the export. */
  failureReason?: string;
  /** The attempt is in the person's ledger: its end (answered or not, or undone) is appended there too. */
  counted?: boolean;
}

/** A lease: one line held by one attempt. */
export interface LeaseRecord extends AttemptRef {
  line: number;
  startedAt: string;
  staleAfter: string;
  connectContactId?: string;
}

/**
 * Lines and the attempts that hold them. Taking a line and releasing it each happen in one transaction with the
 * contact's status and its bucket's counters, so a line is held exactly while its attempt is DIALING.
 */
export interface LineLeases {
  /** Every line shard with its use (one consistent read). */
  shards(): Promise<LineShard[]>;
  /** Claims the contact's next attempt and a line of `shard` for it, with the guards' writes, atomically. */
  claim(
    contact: DueContact,
    line: LineShard,
    now: Date,
    leaseSeconds: number,
    guards?: ClaimGuards,
  ): Promise<ClaimResult>;
  /** Ends an attempt: releases its line and settles the contact, once. False when it was already released. */
  finish(input: FinishAttemptInput): Promise<boolean>;
  /**
   * Notes the Connect ContactId on the lease (for reconciliation); no-op once the lease is gone. `staleAfter`
   * moves the lease's deadline (a call found again, or placed only now, by reconciliation).
   */
  noteContactId(ref: AttemptRef, line: number, connectContactId: string, staleAfter?: Date): Promise<void>;
  /** Leases to reconcile: older than `staleAt`, or older than `unrecordedAt` and still without a ContactId. */
  leasesToReconcile(now: { staleAt: Date; unrecordedAt: Date }): Promise<LeaseRecord[]>;
}

export interface Contacts {
  /** Contacts due at or before `now`, earliest first (eventually consistent: the claim checks again). */
  due(campaignId: string, date: string, now: Date, limit: number): Promise<DueContact[]>;
  /** When the earliest waiting contact is due, if any. */
  nextDue(campaignId: string, date: string): Promise<Date | undefined>;
  get(campaignId: string, date: string, phone: string): Promise<ContactRecord | undefined>;
  /** Moves a waiting contact's due time (e.g. into its calling window). */
  reschedule(campaignId: string, date: string, phone: string, at: Date): Promise<void>;
  /** Finishes a waiting contact without a call (suppressed, expired): false when it was not waiting. */
  closeWaiting(campaignId: string, date: string, phone: string, status: string, attempts?: number): Promise<boolean>;
  /**
   * A frequency cap holds a waiting contact back: it waits until `hold.until` (counted in `capHolds`), or, with
   * `final`, ends CAPPED. The rule is kept on the contact for the status and the export. False when not waiting.
   */
  holdForCap(contact: Pick<DueContact, 'campaignId' | 'date' | 'phone' | 'attempts'>, hold: CapHold): Promise<boolean>;
}

/** Why and until when a frequency cap holds a contact back. */
export interface CapHold {
  rule: string;
  until: Date;
  /** The cap frees the person only after the run has ended: the contact ends CAPPED. */
  final: boolean;
}

/** Which attempt a Connect contact is: contact events carry only the ContactId. */
export interface CallMap {
  record(ref: AttemptRef, connectContactId: string): Promise<void>;
  find(connectContactId: string): Promise<AttemptRef | undefined>;
}

export type CallStartResult =
  | { kind: 'STARTED'; connectContactId: string }
  /** Over the concurrency or rate quota: release the claim, slow down. */
  | { kind: 'THROTTLED'; error: string }
  /** Connect will never reach this number: finish the contact as INVALID_NUMBER. */
  | { kind: 'INVALID_NUMBER'; error: string }
  /** Anything else (misconfiguration, service errors): release the claim, count, alert if it repeats. */
  | { kind: 'ERROR'; error: string };

/** What Connect reported about the end of a call (its contact event, or DescribeContact). */
export interface CallEndSignals {
  disconnectReason?: string;
  answeringMachineDetectionStatus?: string;
  connectedToSystemTimestamp?: string;
  disconnectTimestamp?: string;
  /** Set when nothing is known (a lost event, no answer from Connect): classified from the flow's record alone. */
  unknown?: boolean;
}

/** The call this engine placed for an attempt, as Connect knows it. */
export interface PlacedCall {
  ref: AttemptRef;
  /** Present once the call has ended. */
  ended?: CallEndSignals;
}

/** Starting calls (Connect's StartOutboundVoiceContact). */
export interface CallStarter {
  /**
   * Starts the call of one attempt. The same attempt always sends the same ClientToken and parameters, so
   * sending it again returns the first call's ContactId instead of dialling twice (Connect keeps tokens 7 days).
   */
  start(call: CallToStart): Promise<CallStartResult>;
}

/** Asking Connect which attempt a contact is. */
export interface CallLookUp {
  /**
   * The attempt a Connect contact was placed for, read back from the contact's own attributes, with how it ended
   * if it has; `undefined` for a contact this engine (this stage) did not place.
   */
  lookUp(connectContactId: string): Promise<PlacedCall | undefined>;
}

/** The telephony side: starting calls and asking Connect about them. */
export interface Dialer extends CallStarter, CallLookUp {}

export interface CallToStart {
  ref: AttemptRef;
  /** Caller ID. */
  source: string;
  ringTimeoutSeconds: number;
  name?: string;
  language?: string;
}

export type RunStatus = 'RUNNING' | 'PAUSED' | 'STOPPING' | 'FINISHED' | 'FAILED';

/** The dial-rate tokens a tick took, so that the same tick run again (a retry) does not take them twice. */
export interface TickReservation {
  /** `<generation>#<tick>` of the tick that took them. */
  tick: string;
  tokens: number;
  /** The run's `attemptsStarted` when the tokens were taken: the tick has used as many as started since. */
  startedBefore: number;
  /** The tick ended and gave its unused tokens back: the same tick run again has none left. */
  closed?: boolean;
}

/** A run as the dispatcher sees it: its item and its counters. */
export interface RunState {
  campaignId: string;
  date: string;
  status: RunStatus;
  generation: number;
  /** Live calls of this run. */
  inFlight: number;
  counters: Record<string, number>;
  consecutiveDialErrors: number;
  consecutiveThrottledTicks: number;
  tickReservation?: TickReservation;
  /** `<generation>#<tick>` of the last tick that ran to its end (recorded it). */
  lastTick?: string;
}

export interface ActiveRun {
  campaignId: string;
  date: string;
  weight: number;
  due: number;
  inFlight: number;
}

export interface TickRecord {
  /** `<generation>#<tick>`: a tick recorded once is not counted again. */
  key: string;
  at: Date;
  dialRate: number;
  throttles: number;
  dialErrors: number;
  due: number;
  inFlight: number;
}

export interface Runs {
  getRun(campaignId: string, date: string): Promise<RunState | undefined>;
  activeRuns(): Promise<ActiveRun[]>;
  recordTick(campaignId: string, date: string, tick: TickRecord): Promise<void>;
}

/** The engine's shared dial-rate bucket as stored, with its version for optimistic updates. */
export interface StoredDialRate {
  tokens: number;
  at: string;
  rate?: number;
  version: number;
}

export interface DialRateState {
  tokens: number;
  at: string;
  rate: number;
}

export interface DialRateBucket {
  get(): Promise<StoredDialRate | undefined>;
  /** Writes the bucket unless it changed since `version`, with the tick's reservation on its run; false: retry. */
  reserve(
    state: DialRateState,
    version: number,
    run: { campaignId: string; date: string; reservation: TickReservation },
  ): Promise<boolean>;
  /** Writes the bucket unless it changed since `version`; false: read again and retry. */
  put(state: DialRateState, version: number): Promise<boolean>;
  /**
   * Gives a tick's unused tokens back: writes the bucket unless it changed since `version`, and closes the tick's
   * reservation on its run in the same write, so the same tick run again cannot use them too. false: retry;
   * 'STALE': the run holds another tick's reservation, nothing was written.
   */
  giveBack(
    state: DialRateState,
    version: number,
    run: { campaignId: string; date: string; tick: string },
  ): Promise<boolean | 'STALE'>;
}

export interface OptOuts {
  isListed(phone: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
}

/** What starting a run is told by the run's inputs: which campaign, day and generation. */
export interface RunExecutionInput {
  campaignId: string;
  date: string;
  generation: number;
}

/** The state machine executions that drive runs, one per campaign, date and generation, addressed by name. */
export interface RunExecutions {
  /** How the named execution stands: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or MISSING when unknown. */
  status(name: string): Promise<string>;
  /** Starts the named execution; undefined when an execution of that name exists already. */
  start(name: string, input: RunExecutionInput): Promise<{ executionArn: string } | undefined>;
}
