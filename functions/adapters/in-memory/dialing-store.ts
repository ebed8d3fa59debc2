/**
 * The dialing ports in memory, with the same rules as the DynamoDB adapters (a claim needs a waiting contact at
 * the attempt read and a free line in the chosen shard; a finish needs the lease; counters move with every
 * change): the tests of the use cases, the pacing benchmark and the planner run the engine's own dialing code on
 * it, on a simulated clock, with no I/O.
 */
import { type CallerUsage, callerIdCounter } from '../../core/policy/caller-id-tiers.ts';
import { EMPTY_LEDGER, ledgerCallId, type PersonLedger } from '../../core/policy/frequency-caps.ts';
import { lineShardCaps, lineShardCount } from '../../core/policy/line-shards.ts';
import { REACHED_STATUSES } from '../../core/report/summary.ts';
import type {
  ActiveRun,
  AttemptRef,
  CallerUsages,
  CallMap,
  CapHold,
  ClaimGuards,
  ClaimResult,
  ContactRecord,
  Contacts,
  DialRateBucket,
  DialRateState,
  DueContact,
  FinishAttemptInput,
  LeaseRecord,
  LineLeases,
  LineShard,
  PersonLedgers,
  RunState,
  Runs,
  StoredDialRate,
  TickRecord,
} from '../../use-cases/dialing/ports.ts';

interface StoredContact extends ContactRecord {
  /** Set while the contact waits (the due index). */
  dueAt?: number;
}

interface StoredRun extends RunState {
  weight: number;
  ticks: TickRecord[];
}

const contactId = (campaignId: string, date: string, phone: string) => `${campaignId}#${date}#${phone}`;
const leaseId = (ref: AttemptRef) => `${ref.campaignId}#${ref.date}#${ref.phone}#${ref.attempt}`;
const runId = (campaignId: string, date: string) => `${campaignId}#${date}`;

export class InMemoryDialingStore implements LineLeases, Contacts, CallMap, Runs {
  readonly contacts = new Map<string, StoredContact>();
  readonly leases = new Map<string, LeaseRecord>();
  readonly lineCaps: readonly number[];
  readonly lineInFlight: number[];
  readonly calls = new Map<string, AttemptRef>();
  readonly runs = new Map<string, StoredRun>();
  private readonly counters = new Map<string, Record<string, number>>();
  private bucket: StoredDialRate | undefined;
  /** The shared dial-rate bucket. */
  readonly dialRate: DialRateBucket = {
    get: async () => (this.bucket === undefined ? undefined : { ...this.bucket }),
    reserve: async (state, version, run) => {
      if (!this.putBucket(state, version)) return false;
      const stored = this.runs.get(runId(run.campaignId, run.date));
      if (stored !== undefined) stored.tickReservation = run.reservation;
      return true;
    },
    put: async (state, version) => this.putBucket(state, version),
    giveBack: async (state, version, run) => {
      const stored = this.runs.get(runId(run.campaignId, run.date));
      if (stored?.tickReservation?.tick !== run.tick) return 'STALE';
      if (!this.putBucket(state, version)) return false;
      stored.tickReservation = { ...stored.tickReservation, closed: true };
      return true;
    },
  };
  /** Engine-wide live calls at their highest: the cap's witness. */
  peakInFlight = 0;
  /** People's contact ledgers, by phone number (frequency caps). */
  readonly ledgers = new Map<string, PersonLedger>();
  /** Caller numbers' use against their tiers. */
  readonly callerUsage = new Map<string, CallerUsage>();
  readonly personLedgers: PersonLedgers = {
    read: async (phone) => structuredClone(this.ledgers.get(phone) ?? EMPTY_LEDGER),
  };
  readonly callerUsages: CallerUsages = {
    read: async (numbers) =>
      numbers.map((number) => structuredClone(this.callerUsage.get(number) ?? { number, version: 0, usage: {} })),
  };

  constructor(caps: { maxConcurrentCalls: number; dialsPerSecond: number }) {
    this.lineCaps = lineShardCaps(caps.maxConcurrentCalls, lineShardCount(caps));
    this.lineInFlight = this.lineCaps.map(() => 0);
  }

  // — set-up —

  /** Opens a run (as Init does). */
  openRun(campaignId: string, date: string, options: { weight?: number; generation?: number } = {}): void {
    this.runs.set(runId(campaignId, date), {
      campaignId,
      date,
      status: 'RUNNING',
      generation: options.generation ?? 0,
      inFlight: 0,
      counters: {},
      consecutiveDialErrors: 0,
      consecutiveThrottledTicks: 0,
      weight: options.weight ?? 1,
      ticks: [],
    });
  }

  /** Adds a waiting contact (as the import does), due at `dueAt`. */
  addContact(contact: Omit<DueContact, 'status' | 'attempts'> & { dueAt: Date; attempts?: number }): void {
    const { dueAt, ...rest } = contact;
    this.contacts.set(contactId(contact.campaignId, contact.date, contact.phone), {
      ...rest,
      status: 'PENDING',
      attempts: contact.attempts ?? 0,
      attemptLog: [],
      attributes: {},
      answers: {},
      dueAt: dueAt.getTime(),
    });
    this.count(contact.campaignId, contact.date, { n_PENDING: 1, contacts: 1 });
  }

  setStatus(campaignId: string, date: string, status: RunState['status']): void {
    const run = this.runs.get(runId(campaignId, date));
    if (run !== undefined) run.status = status;
  }

  /** Records the flow's progress for an attempt (as record-answer does). */
  recordFlow(ref: AttemptRef, flow: NonNullable<ContactRecord['flow']>): void {
    const contact = this.contacts.get(contactId(ref.campaignId, ref.date, ref.phone));
    if (contact !== undefined) contact.flow = { ...flow, attempt: ref.attempt };
  }

  /** Live calls of every campaign. */
  inFlight(): number {
    return this.lineInFlight.reduce((sum, lines) => sum + lines, 0);
  }

  // — LineLeases —

  async shards(): Promise<LineShard[]> {
    return this.lineCaps.map((cap, shard) => ({ shard, cap, inFlight: this.lineInFlight[shard] ?? 0 }));
  }

  async claim(
    contact: DueContact,
    line: LineShard,
    now: Date,
    leaseSeconds: number,
    guards: ClaimGuards = {},
  ): Promise<ClaimResult> {
    const stored = this.contacts.get(contactId(contact.campaignId, contact.date, contact.phone));
    const used = this.lineInFlight[line.shard] ?? 0;
    if (used >= line.cap) return 'SHARD_FULL';
    if (stored === undefined || stored.status !== 'PENDING' || stored.attempts !== contact.attempts) {
      return 'CONTACT_TAKEN';
    }
    if (guards.person !== undefined && (this.ledgers.get(contact.phone)?.version ?? 0) !== guards.person.version) {
      return 'PERSON_CHANGED';
    }
    const callerId = guards.callerId;
    if (callerId !== undefined && (this.callerUsage.get(callerId.number)?.version ?? 0) !== callerId.version) {
      return 'CALLER_ID_CHANGED';
    }
    if (guards.person !== undefined) {
      this.ledgers.set(contact.phone, { version: guards.person.version + 1, calls: guards.person.calls, events: [] });
    }
    if (callerId !== undefined) {
      this.callerUsage.set(callerId.number, {
        number: callerId.number,
        version: callerId.version + 1,
        usage: callerId.usage,
      });
    }
    this.lineInFlight[line.shard] = used + 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight());
    const attempt = stored.attempts + 1;
    stored.status = 'DIALING';
    stored.attempts = attempt;
    stored.attemptLog = [
      ...stored.attemptLog,
      {
        n: attempt,
        at: now.toISOString(),
        line: line.shard,
        ...(callerId !== undefined && { callerId: callerId.number }),
        ...(guards.person !== undefined && { counted: true }),
      },
    ];
    delete stored.dueAt;
    delete stored.nextAttemptAt;
    const ref = { campaignId: contact.campaignId, date: contact.date, phone: contact.phone, attempt };
    this.leases.set(leaseId(ref), {
      ...ref,
      line: line.shard,
      startedAt: now.toISOString(),
      staleAfter: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
    });
    this.count(contact.campaignId, contact.date, {
      n_PENDING: -1,
      n_DIALING: 1,
      attemptsStarted: 1,
      inFlight: 1,
      ...(callerId !== undefined && { [callerIdCounter(callerId.number)]: 1 }),
    });
    return 'CLAIMED';
  }

  async finish(input: FinishAttemptInput): Promise<boolean> {
    const { ref, next, outcome } = input;
    const lease = this.leases.get(leaseId(ref));
    if (lease === undefined) return false;
    const contact = this.contacts.get(contactId(ref.campaignId, ref.date, ref.phone));
    if (contact === undefined || contact.status !== 'DIALING' || contact.attempts !== ref.attempt) {
      throw new Error(`lease of attempt ${ref.attempt} has no DIALING contact`);
    }
    this.leases.delete(leaseId(ref));
    this.lineInFlight[input.line] = (this.lineInFlight[input.line] ?? 0) - 1;
    if (input.counted) {
      const ledger = this.ledgers.get(ref.phone) ?? EMPTY_LEDGER;
      const id = ledgerCallId(ref.campaignId, ref.date, ref.attempt);
      const event = input.undoAttempt
        ? { id, undone: true }
        : { id, answered: (REACHED_STATUSES as readonly string[]).includes(outcome) };
      this.ledgers.set(ref.phone, { ...ledger, version: ledger.version + 1, events: [...ledger.events, event] });
    }
    const status = next.kind === 'RETRY' ? 'PENDING' : next.status;
    contact.status = status;
    const counters: Record<string, number> = { inFlight: -1, n_DIALING: -1, [`n_${status}`]: 1 };
    if (input.undoAttempt) {
      contact.attempts = ref.attempt - 1;
      contact.attemptLog = contact.attemptLog.filter((entry) => entry.n !== ref.attempt);
      counters.attemptsStarted = -1;
    } else {
      contact.outcome = outcome;
      contact.attemptLog = contact.attemptLog.map((entry) =>
        entry.n === ref.attempt
          ? {
              ...entry,
              outcome,
              endedAt: input.endedAt.toISOString(),
              ...(input.talkSeconds !== undefined && { talkSeconds: input.talkSeconds }),
            }
          : entry,
      );
      counters[`o_${outcome}`] = 1;
      counters.attemptsEnded = 1;
      if (input.firstReach) counters.contactsReached = 1;
      if (input.lineSeconds !== undefined) {
        counters.lineSeconds = input.lineSeconds;
        counters.lineAttempts = 1;
      }
    }
    if (next.kind === 'RETRY') {
      contact.dueAt = next.at.getTime();
      contact.nextAttemptAt = next.at.toISOString();
    } else {
      counters[`t_${input.undoAttempt ? ref.attempt - 1 : ref.attempt}`] = 1;
    }
    this.count(ref.campaignId, ref.date, counters);
    return true;
  }

  async noteContactId(ref: AttemptRef, _line: number, connectContactId: string, staleAfter?: Date): Promise<void> {
    const lease = this.leases.get(leaseId(ref));
    if (lease === undefined) return;
    lease.connectContactId = connectContactId;
    if (staleAfter !== undefined) lease.staleAfter = staleAfter.toISOString();
  }

  async leasesToReconcile(at: { staleAt: Date; unrecordedAt: Date }): Promise<LeaseRecord[]> {
    return [...this.leases.values()].filter(
      (lease) =>
        Date.parse(lease.staleAfter) < at.staleAt.getTime() ||
        (lease.connectContactId === undefined && Date.parse(lease.startedAt) < at.unrecordedAt.getTime()),
    );
  }

  // — Contacts —

  async due(campaignId: string, date: string, now: Date, limit: number): Promise<DueContact[]> {
    const due: StoredContact[] = [];
    for (const contact of this.contacts.values()) {
      if (
        contact.campaignId === campaignId &&
        contact.date === date &&
        contact.dueAt !== undefined &&
        contact.dueAt <= now.getTime()
      ) {
        due.push(contact);
      }
    }
    return due
      .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || (a.phone < b.phone ? -1 : 1))
      .slice(0, limit)
      .map(({ campaignId: c, date: d, phone, status, attempts, timeZone, name, language }) => ({
        campaignId: c,
        date: d,
        phone,
        status,
        attempts,
        timeZone,
        ...(name !== undefined && { name }),
        ...(language !== undefined && { language }),
      }));
  }

  async nextDue(campaignId: string, date: string): Promise<Date | undefined> {
    let earliest: number | undefined;
    for (const contact of this.contacts.values()) {
      if (contact.campaignId !== campaignId || contact.date !== date || contact.dueAt === undefined) continue;
      if (earliest === undefined || contact.dueAt < earliest) earliest = contact.dueAt;
    }
    return earliest === undefined ? undefined : new Date(earliest);
  }

  async get(campaignId: string, date: string, phone: string): Promise<ContactRecord | undefined> {
    const contact = this.contacts.get(contactId(campaignId, date, phone));
    if (contact === undefined) return undefined;
    const { dueAt: _dueAt, ...record } = contact;
    return structuredClone(record);
  }

  async reschedule(campaignId: string, date: string, phone: string, at: Date): Promise<void> {
    const contact = this.contacts.get(contactId(campaignId, date, phone));
    if (contact?.status !== 'PENDING') return;
    contact.dueAt = at.getTime();
    contact.nextAttemptAt = at.toISOString();
  }

  async closeWaiting(
    campaignId: string,
    date: string,
    phone: string,
    status: string,
    attempts?: number,
  ): Promise<boolean> {
    const contact = this.contacts.get(contactId(campaignId, date, phone));
    if (contact?.status !== 'PENDING' || (attempts !== undefined && contact.attempts !== attempts)) return false;
    contact.status = status;
    delete contact.dueAt;
    this.count(campaignId, date, { n_PENDING: -1, [`n_${status}`]: 1, [`t_${contact.attempts}`]: 1 });
    return true;
  }

  async holdForCap(
    contact: Pick<DueContact, 'campaignId' | 'date' | 'phone' | 'attempts'>,
    hold: CapHold,
  ): Promise<boolean> {
    const stored = this.contacts.get(contactId(contact.campaignId, contact.date, contact.phone));
    if (stored?.status !== 'PENDING' || stored.attempts !== contact.attempts) return false;
    stored.heldBy = { rule: hold.rule, until: hold.until.toISOString() };
    if (hold.final) {
      stored.status = 'CAPPED';
      delete stored.dueAt;
      delete stored.nextAttemptAt;
      this.count(contact.campaignId, contact.date, { n_PENDING: -1, n_CAPPED: 1, [`t_${stored.attempts}`]: 1 });
    } else {
      stored.dueAt = hold.until.getTime();
      stored.nextAttemptAt = hold.until.toISOString();
      this.count(contact.campaignId, contact.date, { capHolds: 1 });
    }
    return true;
  }

  // — CallMap —

  async record(ref: AttemptRef, connectContactId: string): Promise<void> {
    this.calls.set(connectContactId, ref);
  }

  async find(connectContactId: string): Promise<AttemptRef | undefined> {
    return this.calls.get(connectContactId);
  }

  // — Runs —

  async getRun(campaignId: string, date: string): Promise<RunState | undefined> {
    const run = this.runs.get(runId(campaignId, date));
    if (run === undefined) return undefined;
    const { weight: _weight, ticks: _ticks, ...state } = run;
    const counters = { ...this.countersOf(campaignId, date) };
    return structuredClone({ ...state, counters, inFlight: Math.max(0, counters.inFlight ?? 0) });
  }

  async activeRuns(): Promise<ActiveRun[]> {
    return [...this.runs.values()]
      .filter((run) => run.status === 'RUNNING' || run.status === 'PAUSED' || run.status === 'STOPPING')
      .map((run) => ({
        campaignId: run.campaignId,
        date: run.date,
        weight: run.weight,
        due: run.ticks.at(-1)?.due ?? this.countersOf(run.campaignId, run.date).n_PENDING ?? 0,
        inFlight: this.countersOf(run.campaignId, run.date).inFlight ?? 0,
      }));
  }

  async recordTick(campaignId: string, date: string, tick: TickRecord): Promise<void> {
    const run = this.runs.get(runId(campaignId, date));
    if (run === undefined || run.lastTick === tick.key) return;
    run.lastTick = tick.key;
    run.ticks.push(tick);
    run.consecutiveDialErrors = tick.dialErrors > 0 ? run.consecutiveDialErrors + 1 : 0;
    run.consecutiveThrottledTicks = tick.throttles > 0 ? run.consecutiveThrottledTicks + 1 : 0;
  }

  /** Every tick a run recorded (tests, the benchmark). */
  ticksOf(campaignId: string, date: string): readonly TickRecord[] {
    return this.runs.get(runId(campaignId, date))?.ticks ?? [];
  }

  countersOf(campaignId: string, date: string): Readonly<Record<string, number>> {
    return this.counters.get(runId(campaignId, date)) ?? {};
  }

  private putBucket(state: DialRateState, version: number): boolean {
    if ((this.bucket?.version ?? 0) !== version) return false;
    this.bucket = { ...state, version: version + 1 };
    return true;
  }

  private count(campaignId: string, date: string, adds: Record<string, number>): void {
    const id = runId(campaignId, date);
    const counters = this.counters.get(id) ?? {};
    for (const [name, value] of Object.entries(adds)) counters[name] = (counters[name] ?? 0) + value;
    this.counters.set(id, counters);
  }
}
