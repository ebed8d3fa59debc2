/**
 * Amazon Connect on a simulated clock, for the planner, the pacing benchmark and rehearsal's prediction: it
 * enforces Connect's quotas (concurrent calls; the StartOutboundVoiceContact token bucket), honours ClientTokens,
 * and plays each callee from a draw (functions/core/planning/outcome-mix.ts). When a call ends it reports what
 * Connect would: the contact flow's record of the call (as record-answer writes it) and the contact event's
 * signals, which the caller hands to the engine's own settle path. No I/O.
 */
import type { AttemptOutcome } from '../../core/campaign.ts';
import type { AttemptDraw } from '../../core/planning/outcome-mix.ts';
import { createTokenBucket, type TokenBucket, take } from '../../core/policy/pacing.ts';
import type {
  AttemptRef,
  CallEndSignals,
  CallStartResult,
  CallToStart,
  Dialer,
  FlowProgress,
  PlacedCall,
} from '../../use-cases/dialing/ports.ts';

/** The clock the simulated calls run on (functions/adapters/in-memory/simulated-clock.ts). */
export interface SchedulingClock {
  now(): Date;
  schedule(at: number, action: () => void): void;
}

export interface ConnectQuotas {
  concurrentCalls: number;
  dialsPerSecond: number;
  dialBurst: number;
}

/** One call Connect placed. */
export interface SimulatedCall {
  ref: AttemptRef;
  connectContactId: string;
  startedAt: number;
  endsAt: number;
  outcome: AttemptOutcome;
  talkMs: number;
}

export interface SimulatedConnectOptions {
  clock: SchedulingClock;
  /** What the callee does on this attempt. */
  draw(ref: AttemptRef): AttemptDraw;
  /** Questions of the campaign's script (a completed call answered them all). */
  questions: number;
  quotas: ConnectQuotas;
  /** The contact flow's record of an answered call, written before the call ends. */
  onFlowRecorded(ref: AttemptRef, flow: FlowProgress): void;
  /** The call's contact event (DISCONNECTED). */
  onEnded(connectContactId: string, signals: CallEndSignals): void;
}

/** The ClientToken's identity: one run per simulation, so the number and the attempt tell attempts apart. */
const attemptKey = (ref: AttemptRef): string => `${ref.phone}#${ref.attempt}`;

/**
 * The signals Connect reports for a call that ended with `outcome`, with answering-machine detection on (so that a
 * voicemail is told apart, as the planned mix says), and the flow's record for answered calls: the engine's own
 * classification (functions/core/policy/outcome.ts) turns them back into `outcome`.
 */
export function signalsOf(
  outcome: AttemptOutcome,
  startedAt: number,
  draw: AttemptDraw,
  questions: number,
): { signals: CallEndSignals; flow?: FlowProgress } {
  const endedAt = startedAt + draw.lineMs;
  const disconnectTimestamp = new Date(endedAt).toISOString();
  const connectedToSystemTimestamp = new Date(endedAt - draw.talkMs).toISOString();
  const unanswered = (disconnectReason: string) => ({ signals: { disconnectReason, disconnectTimestamp } });
  const answered = (extra: Partial<CallEndSignals>, flow?: FlowProgress) => ({
    signals: { disconnectReason: 'CUSTOMER_DISCONNECT', connectedToSystemTimestamp, disconnectTimestamp, ...extra },
    ...(flow && { flow }),
  });
  switch (outcome) {
    case 'COMPLETED':
      return answered(
        { answeringMachineDetectionStatus: 'HUMAN_ANSWERED', disconnectReason: 'CONTACT_FLOW_DISCONNECT' },
        { questionsAnswered: questions, completed: true, optedOut: false },
      );
    case 'PARTIAL':
      return answered({ answeringMachineDetectionStatus: 'HUMAN_ANSWERED' });
    case 'TRANSFERRED':
      // The callee asked for a person and the queued call ended with them, not with the flow.
      return answered(
        { answeringMachineDetectionStatus: 'HUMAN_ANSWERED' },
        { questionsAnswered: 0, completed: false, optedOut: false, transferred: true },
      );
    case 'OPTED_OUT':
      return answered(
        { answeringMachineDetectionStatus: 'HUMAN_ANSWERED', disconnectReason: 'CONTACT_FLOW_DISCONNECT' },
        { questionsAnswered: 0, completed: false, optedOut: true },
      );
    case 'VOICEMAIL':
      return answered({
        answeringMachineDetectionStatus: 'VOICEMAIL_BEEP',
        disconnectReason: 'CONTACT_FLOW_DISCONNECT',
      });
    case 'NO_ANSWER':
      return unanswered('TELECOM_UNANSWERED');
    case 'BUSY':
      return unanswered('TELECOM_BUSY');
    case 'INVALID_NUMBER':
      return unanswered('TELECOM_NUMBER_INVALID');
    case 'FAILED':
      return unanswered('TELECOM_PROBLEM');
    case 'UNKNOWN':
      return unanswered('OTHER');
  }
}

export class SimulatedConnect implements Dialer {
  /** Every call placed, in order. */
  readonly calls: SimulatedCall[] = [];
  /** Requests refused for going over a quota: the engine's pacing should make this 0. */
  readonly refused = { concurrency: 0, rate: 0 };
  peakInFlight = 0;
  private inFlight = 0;
  private bucket: TokenBucket | undefined;
  private readonly byToken = new Map<string, string>();
  private readonly placed = new Map<string, { ref: AttemptRef; ended?: CallEndSignals }>();
  private readonly options: SimulatedConnectOptions;

  constructor(options: SimulatedConnectOptions) {
    this.options = options;
  }

  async start(call: CallToStart): Promise<CallStartResult> {
    const { clock, quotas } = this.options;
    const key = attemptKey(call.ref);
    const existing = this.byToken.get(key);
    if (existing !== undefined) return { kind: 'STARTED', connectContactId: existing };
    const now = clock.now();
    this.bucket ??= createTokenBucket({ ratePerSecond: quotas.dialsPerSecond, burst: quotas.dialBurst }, now);
    const taken = take(this.bucket, 1, now);
    this.bucket = taken.state;
    if (taken.taken === 0) {
      this.refused.rate++;
      return { kind: 'THROTTLED', error: 'LimitExceededException: StartOutboundVoiceContact rate' };
    }
    if (this.inFlight >= quotas.concurrentCalls) {
      this.refused.concurrency++;
      return { kind: 'THROTTLED', error: 'LimitExceededException: concurrent calls' };
    }
    const draw = this.options.draw(call.ref);
    const connectContactId = `sim-${this.calls.length}`;
    const startedAt = now.getTime();
    const endsAt = startedAt + draw.lineMs;
    this.byToken.set(key, connectContactId);
    this.placed.set(connectContactId, { ref: call.ref });
    this.calls.push({ ref: call.ref, connectContactId, startedAt, endsAt, outcome: draw.outcome, talkMs: draw.talkMs });
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    const { signals, flow } = signalsOf(draw.outcome, startedAt, draw, this.options.questions);
    clock.schedule(endsAt, () => {
      this.inFlight--;
      const placed = this.placed.get(connectContactId);
      if (placed !== undefined) placed.ended = signals;
      if (flow !== undefined) this.options.onFlowRecorded(call.ref, flow);
      this.options.onEnded(connectContactId, signals);
    });
    return { kind: 'STARTED', connectContactId };
  }

  async lookUp(connectContactId: string): Promise<PlacedCall | undefined> {
    const placed = this.placed.get(connectContactId);
    return placed === undefined ? undefined : { ref: placed.ref, ...(placed.ended && { ended: placed.ended }) };
  }

  /** Calls live now. */
  get live(): number {
    return this.inFlight;
  }
}
