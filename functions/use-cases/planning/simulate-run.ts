/**
 * A whole run, simulated: the engine's own dispatcher tick (functions/use-cases/dialing/dispatch-tick.ts) and
 * settle path (settle-attempt.ts) on in-memory ports and a simulated clock, against a simulated Connect whose
 * callees follow an outcome mix. The state machine's loop is emulated as statemachines/campaign-run.asl.yml runs
 * it: Dispatch, then Wait `waitSeconds` or until `waitUntil`, then Dispatch again, a new execution every
 * TICKS_PER_EXECUTION ticks, until FINALIZE. Between two Dispatch steps real time passes that the simulation does
 * not otherwise see (the Lambda invocation, the state transitions, the tick's reads): `tickGapMs`.
 *
 * The pacing benchmark, `campaign plan` (and the live ETA) and rehearsal's prediction all use this one module, so
 * what they report is what the engine's code does.
 */
import type { Campaign } from '../../core/campaign.ts';
import type { ContactGroup } from '../../core/planning/contact-groups.ts';
import type { AttemptTimeline, DispatcherCaps } from '../../core/planning/ideal-dispatcher.ts';
import { drawAttempt, type PreparedMix } from '../../core/planning/outcome-mix.ts';
import { clampIntoWindow } from '../../core/policy/calling-window.ts';
import { dispatchTick, type TickSettings } from '../dialing/dispatch-tick.ts';
import type { AttemptRef, ContactRecord, Contacts, LineLeases } from '../dialing/ports.ts';
import { endCall } from '../dialing/settle-attempt.ts';
import type { SimulationAdapters } from './ports.ts';

export type { ContactGroup };

export interface SimulationCaps extends DispatcherCaps {
  tickSeconds: number;
}

export interface SimulationInput {
  campaign: Campaign;
  date: string;
  startAt: Date;
  contacts: readonly ContactGroup[];
  caps: SimulationCaps;
  /** Real time between one Dispatch step's end and the next one's start: Lambda, Step Functions, the tick's reads. */
  tickGapMs: number;
  /**
   * Time from a call's end to its settlement, which frees its line: Connect's contact event through EventBridge and
   * the call-ended function's settle (0 when not given).
   */
  settleMs?: number;
  /** Extra time a new execution takes to start (Init and StartExecution), every TICKS_PER_EXECUTION ticks. */
  continueAsNewMs?: number;
  mix: PreparedMix;
  seed: number;
  /** Keep a copy of the run's counters at the first tick after every such interval (for tests of estimates). */
  snapshotEveryMs?: number;
  /** Asked after every tick: when it says so, the simulation stops with SimulationStoppedError (a caller's deadline). */
  stopWhen?: () => boolean;
}

/** A simulation stopped by its caller's `stopWhen` before the run ended: how far it got. */
export class SimulationStoppedError extends Error {
  readonly ticks: number;
  readonly simulatedSeconds: number;
  constructor(ticks: number, simulatedSeconds: number) {
    super(`the simulation was stopped after ${ticks} ticks (${Math.round(simulatedSeconds)} s of the run)`);
    this.name = 'SimulationStoppedError';
    this.ticks = ticks;
    this.simulatedSeconds = simulatedSeconds;
  }
}

/** The run's counters at one moment. */
export interface CountersSnapshot {
  at: number;
  counters: Readonly<Record<string, number>>;
}

/** The run's open contacts (waiting or on a call) at one moment. */
export interface ProgressSample {
  at: number;
  open: number;
}

export interface SimulationResult {
  attempts: AttemptTimeline[];
  ticks: number;
  executions: number;
  /** When the last call ended. */
  lastCallEndAt: number;
  /** When the run finalized (its last tick). */
  finalizedAt: number;
  peakInFlight: number;
  refused: { concurrency: number; rate: number };
  /** The run's counters at the end (functions/adapters/run-counters.ts names). */
  counters: Readonly<Record<string, number>>;
  /** Contacts still waiting when the run ended (they expire, or carry over). */
  waitingAtEnd: number;
  progress: ProgressSample[];
  snapshots: CountersSnapshot[];
  /** Contacts simulated, and the phone numbers they were given (`+999…`, never a real number). */
  contacts: number;
}

/** A made-up number per simulated contact: `+999` is unassigned, so nothing here can ever be dialled for real. */
export const simulatedPhone = (index: number): string => `+999${String(index).padStart(9, '0')}`;

/** Simulates the run of `input.contacts` from `input.startAt` until it finalizes. */
export async function simulateRun(adapters: SimulationAdapters, input: SimulationInput): Promise<SimulationResult> {
  return adapters.quietly(() => simulate(adapters, input));
}

async function simulate(adapters: SimulationAdapters, input: SimulationInput): Promise<SimulationResult> {
  const { campaign, date, caps } = input;
  const campaignId = campaign.id;
  const clock = adapters.clock(input.startAt);
  const store = adapters.store(caps);
  // When each contact's next attempt falls due, and so when each attempt did: for latency from due to dial.
  const nextDueOf = new Map<string, number>();
  /** Due time of each call Connect placed, in the order it placed them (Connect asks for one draw per call). */
  const dueOfCall: number[] = [];
  let settling = 0;
  const connect = adapters.connect({
    clock,
    draw: (ref: AttemptRef) => {
      dueOfCall.push(nextDueOf.get(ref.phone) ?? clock.now().getTime());
      return drawAttempt(input.mix, input.seed, ref.phone, ref.attempt);
    },
    questions: campaign.script.questions.length,
    quotas: {
      concurrentCalls: caps.maxConcurrentCalls,
      dialsPerSecond: caps.dialsPerSecond,
      dialBurst: caps.dialBurst,
    },
    onFlowRecorded: (ref, flow) => store.recordFlow(ref, flow),
    onEnded: (connectContactId, signals) => {
      settling++;
      const settle = () => void endCall(ports, connectContactId, signals).finally(() => settling--);
      if ((input.settleMs ?? 0) > 0) clock.schedule(clock.now().getTime() + (input.settleMs ?? 0), settle);
      else settle();
    },
  });

  const leases: LineLeases = {
    shards: () => store.shards(),
    claim: (contact, line, now, leaseSeconds) => store.claim(contact, line, now, leaseSeconds),
    finish: async (finishing) => {
      const finished = await store.finish(finishing);
      if (finished && finishing.next.kind === 'RETRY') nextDueOf.set(finishing.ref.phone, finishing.next.at.getTime());
      return finished;
    },
    noteContactId: (ref, line, id) => store.noteContactId(ref, line, id),
    leasesToReconcile: (at) => store.leasesToReconcile(at),
  };
  const contacts: Contacts = {
    due: (c, d, now, limit) => store.due(c, d, now, limit),
    nextDue: (c, d) => store.nextDue(c, d),
    get: (c, d, phone): Promise<ContactRecord | undefined> => store.get(c, d, phone),
    reschedule: async (c, d, phone, at) => {
      await store.reschedule(c, d, phone, at);
      nextDueOf.set(phone, at.getTime());
    },
    closeWaiting: (c, d, phone, status, attempts) => store.closeWaiting(c, d, phone, status, attempts),
    // A plan runs one campaign without the stage's contact policy: no frequency cap holds anyone back.
    holdForCap: (contact, hold) => store.holdForCap(contact, hold),
  };
  const ports = {
    clock,
    runs: store,
    contacts,
    leases,
    calls: store,
    dialRate: store.dialRate,
    dialer: connect,
    optOuts: { isListed: async () => false },
    campaigns: { get: async () => ({ campaign }) },
  };

  store.openRun(campaignId, date, { weight: campaign.run.weight });
  const firstDue = firstDueAt(input);
  let index = 0;
  for (const group of input.contacts) {
    for (let n = 0; n < group.count; n++) {
      const phone = simulatedPhone(index++);
      const dueAt = group.dueAt ?? firstDue(group.timeZone);
      nextDueOf.set(phone, dueAt);
      store.addContact({
        campaignId,
        date,
        phone,
        timeZone: group.timeZone,
        dueAt: new Date(dueAt),
        ...(group.attempts !== undefined && { attempts: group.attempts }),
      });
    }
  }

  const settings: TickSettings = {
    maxConcurrentCalls: caps.maxConcurrentCalls,
    dialsPerSecond: caps.dialsPerSecond,
    dialBurst: caps.dialBurst,
    tickSeconds: caps.tickSeconds,
    // The lease outlives any simulated call: nothing is lost here, so nothing needs reconciling.
    leaseSeconds: 86_400,
  };
  const progress: ProgressSample[] = [];
  const snapshots: CountersSnapshot[] = [];
  let lastSnapshot = Number.NEGATIVE_INFINITY;
  const openOf = () => {
    const counters = store.countersOf(campaignId, date);
    return (counters.n_PENDING ?? 0) + (counters.n_DIALING ?? 0);
  };
  let ticks = 0;
  let executions = 1;
  let finalizedAt = input.startAt.getTime();
  let done = false;
  let failure: unknown;

  const stateMachine = async () => {
    let tick = 0;
    let generation = 0;
    progress.push({ at: clock.now().getTime(), open: openOf() });
    for (;;) {
      const report = await dispatchTick(ports, settings, campaign, { campaignId, date, tick, generation });
      ticks++;
      const at = clock.now().getTime();
      if (input.stopWhen?.()) throw new SimulationStoppedError(ticks, (at - input.startAt.getTime()) / 1000);
      progress.push({ at, open: openOf() });
      if (input.snapshotEveryMs !== undefined && at - lastSnapshot >= input.snapshotEveryMs) {
        lastSnapshot = at;
        snapshots.push({ at, counters: { ...store.countersOf(campaignId, date) } });
      }
      const next = report.next;
      if (next.action === 'FINALIZE' || next.action === 'SUPERSEDED') break;
      if (next.action === 'CONTINUE_AS_NEW') {
        // A new execution: Init opens the run for the next generation, then its first tick.
        executions++;
        generation = next.nextGeneration;
        tick = 0;
        store.openRun(campaignId, date, { weight: campaign.run.weight, generation });
        await clock.sleep(input.tickGapMs + (input.continueAsNewMs ?? 0));
        continue;
      }
      tick++;
      const waitMs =
        next.action === 'WAIT_UNTIL'
          ? Math.max(0, Date.parse(next.waitUntil) - clock.now().getTime())
          : next.waitSeconds * 1000;
      await clock.sleep(waitMs + input.tickGapMs);
    }
    finalizedAt = clock.now().getTime();
  };
  stateMachine().then(
    () => {
      done = true;
    },
    (error: unknown) => {
      failure = error;
      done = true;
    },
  );
  await clock.run({ done: () => done && settling === 0 });
  if (failure !== undefined) throw failure;

  const attempts: AttemptTimeline[] = connect.calls.map((call, index) => ({
    contact: call.ref.phone,
    attempt: call.ref.attempt,
    dueAt: dueOfCall[index] ?? call.startedAt,
    startAt: call.startedAt,
    endAt: call.endsAt,
    outcome: call.outcome,
    talkMs: call.talkMs,
  }));
  const counters = store.countersOf(campaignId, date);
  return {
    attempts,
    ticks,
    executions,
    lastCallEndAt: attempts.reduce((latest, attempt) => Math.max(latest, attempt.endAt), input.startAt.getTime()),
    finalizedAt,
    peakInFlight: connect.peakInFlight,
    refused: { ...connect.refused },
    counters,
    waitingAtEnd: counters.n_PENDING ?? 0,
    progress,
    snapshots,
    contacts: index,
  };
}

/**
 * When a contact of `timeZone` falls due first: the run's start, moved into the callee's calling window (as the
 * import schedules it).
 */
function firstDueAt(input: SimulationInput): (timeZone: string) => number {
  const byZone = new Map<string, number>();
  return (timeZone) => {
    let at = byZone.get(timeZone);
    if (at === undefined) {
      at = clampIntoWindow(input.campaign.callingWindow, timeZone, input.startAt).getTime();
      byZone.set(timeZone, at);
    }
    return at;
  };
}
