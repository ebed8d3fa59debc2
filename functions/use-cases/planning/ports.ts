/**
 * What the simulation of a run needs: a simulated clock, the dialing ports in memory, and a simulated Connect
 * (functions/adapters/in-memory/). The planner, the pacing benchmark and rehearsal's prediction are given them by
 * whoever composes them (bench/, functions/handlers/), and run the engine's own dialing use cases on them.
 */
import type { AttemptOutcome } from '../../core/campaign.ts';
import type { AttemptDraw } from '../../core/planning/outcome-mix.ts';
import type {
  AttemptRef,
  CallEndSignals,
  CallMap,
  Clock,
  ContactRecord,
  Contacts,
  Dialer,
  DialRateBucket,
  DueContact,
  FlowProgress,
  LineLeases,
  Runs,
} from '../dialing/ports.ts';

/** A clock that only moves when the simulation drives it. */
export interface SimulationClock extends Clock {
  /** Calls `action` when simulated time reaches `at`. */
  schedule(at: number, action: () => void): void;
  /** Advances time until `done()` holds, nothing waits any more, or `until` is reached. */
  run(options?: { done?: () => boolean; until?: Date }): Promise<void>;
}

/** The dialing ports in memory, with the set-up an import and Init would do. */
export interface SimulationStore extends LineLeases, Contacts, CallMap, Runs {
  readonly dialRate: DialRateBucket;
  openRun(campaignId: string, date: string, options?: { weight?: number; generation?: number }): void;
  addContact(contact: Omit<DueContact, 'status' | 'attempts'> & { dueAt: Date; attempts?: number }): void;
  /** The contact flow's record of an attempt (as record-answer writes it). */
  recordFlow(ref: AttemptRef, flow: NonNullable<ContactRecord['flow']>): void;
  countersOf(campaignId: string, date: string): Readonly<Record<string, number>>;
}

/** One call the simulated Connect placed. */
export interface SimulatedCallRecord {
  ref: AttemptRef;
  startedAt: number;
  endsAt: number;
  outcome: AttemptOutcome;
  talkMs: number;
}

export interface SimulationConnect extends Dialer {
  readonly calls: readonly SimulatedCallRecord[];
  /** Requests Connect refused for going over its quotas (the engine's pacing should keep these at 0). */
  readonly refused: { concurrency: number; rate: number };
  readonly peakInFlight: number;
}

export interface SimulationConnectOptions {
  clock: SimulationClock;
  /** What the callee does: asked once for every call placed, just before it is placed. */
  draw(ref: AttemptRef): AttemptDraw;
  questions: number;
  quotas: { concurrentCalls: number; dialsPerSecond: number; dialBurst: number };
  onFlowRecorded(ref: AttemptRef, flow: FlowProgress): void;
  onEnded(connectContactId: string, signals: CallEndSignals): void;
}

/** Makes a fresh simulated world: every simulation starts from nothing. */
export interface SimulationAdapters {
  clock(start: Date): SimulationClock;
  store(caps: { maxConcurrentCalls: number; dialsPerSecond: number }): SimulationStore;
  connect(options: SimulationConnectOptions): SimulationConnect;
  /** Runs `work` without the engine's logs and metrics (a simulation settles thousands of attempts). */
  quietly<T>(work: () => Promise<T>): Promise<T>;
}
