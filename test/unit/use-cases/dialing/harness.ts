/**
 * The dialing use cases on the in-memory ports and a simulated clock, with a Connect stand-in whose calls last
 * a given time and then end through the real settle path: no network, hours of dialing in milliseconds.
 */
import { InMemoryDialingStore } from '../../../../functions/adapters/in-memory/dialing-store.ts';
import { SimulatedClock } from '../../../../functions/adapters/in-memory/simulated-clock.ts';
import { type Campaign, parseCampaign } from '../../../../functions/core/campaign.ts';
import type {
  AttemptRef,
  CallEndSignals,
  CallStartResult,
  CallToStart,
  Dialer,
  PlacedCall,
} from '../../../../functions/use-cases/dialing/ports.ts';
import { endCall } from '../../../../functions/use-cases/dialing/settle-attempt.ts';

export const DATE = '2026-03-02';
/** A Monday, 10:00 in Warsaw: inside the default calling window. */
export const START = new Date('2026-03-02T09:00:00Z');

export function campaignOf(overrides: Record<string, unknown> = {}): Campaign {
  return parseCampaign({
    id: 'sim',
    name: 'Simulated',
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '08:00', end: '21:00' },
    script: {
      greeting: 'Hello.',
      questions: [{ id: 'q1', prompt: 'Press 1 or 2.', keys: { '1': 'Yes', '2': 'No' } }],
      closing: 'Bye.',
    },
    ...overrides,
  });
}

export interface DialRecord {
  at: number;
  ref: AttemptRef;
  connectContactId: string;
  /** The caller ID the call was placed from. */
  source: string;
}

/** How a simulated callee answers: the call's line time and its end signals. */
export type Behaviour = (ref: AttemptRef) => { seconds: number; signals: CallEndSignals } | 'THROTTLED' | 'INVALID';

export const ANSWERED_BRIEFLY: Behaviour = () => ({
  seconds: 30,
  signals: { disconnectReason: 'CUSTOMER_DISCONNECT' },
});

export class Harness {
  readonly clock: SimulatedClock;
  readonly store: InMemoryDialingStore;
  readonly dials: DialRecord[] = [];
  readonly campaign: Campaign;
  private nextId = 0;
  private readonly placed = new Map<string, { ref: AttemptRef; ended?: CallEndSignals }>();
  behaviour: Behaviour;
  /** Ends of calls that were not delivered (a lost contact event). */
  loseEvents = false;
  /** Other campaigns dialling on the same store (by id), besides `campaign`. */
  readonly otherCampaigns = new Map<string, Campaign>();

  constructor(options: {
    maxConcurrentCalls: number;
    dialsPerSecond: number;
    behaviour?: Behaviour;
    campaign?: Campaign;
  }) {
    this.clock = new SimulatedClock(START);
    this.store = new InMemoryDialingStore(options);
    this.behaviour = options.behaviour ?? ANSWERED_BRIEFLY;
    this.campaign = options.campaign ?? campaignOf();
  }

  readonly dialer: Dialer = {
    start: async (call: CallToStart): Promise<CallStartResult> => {
      const key = `${call.ref.campaignId}#${call.ref.date}#${call.ref.phone}#${call.ref.attempt}`;
      const existing = [...this.placed.entries()].find(
        ([, placed]) => JSON.stringify(placed.ref) === JSON.stringify(call.ref),
      );
      if (existing !== undefined) return { kind: 'STARTED', connectContactId: existing[0] };
      const behaviour = this.behaviour(call.ref);
      if (behaviour === 'THROTTLED') return { kind: 'THROTTLED', error: 'LimitExceededException: rate' };
      if (behaviour === 'INVALID') return { kind: 'INVALID_NUMBER', error: 'DestinationNotAllowedException' };
      const connectContactId = `contact-${this.nextId++}-${key.length}`;
      this.placed.set(connectContactId, { ref: call.ref });
      this.dials.push({ at: this.clock.now().getTime(), ref: call.ref, connectContactId, source: call.source });
      const ends = this.clock.now().getTime() + behaviour.seconds * 1000;
      this.clock.schedule(ends, () => {
        const signals = { ...behaviour.signals, disconnectTimestamp: new Date(ends).toISOString() };
        const placed = this.placed.get(connectContactId);
        if (placed !== undefined) placed.ended = signals;
        if (!this.loseEvents) void endCall(this.ports, connectContactId, signals);
      });
      return { kind: 'STARTED', connectContactId };
    },
    lookUp: async (connectContactId: string): Promise<PlacedCall | undefined> => {
      const placed = this.placed.get(connectContactId);
      return placed === undefined ? undefined : { ref: placed.ref, ...(placed.ended && { ended: placed.ended }) };
    },
  };

  get ports() {
    return {
      clock: this.clock,
      runs: this.store,
      contacts: this.store,
      leases: this.store,
      calls: this.store,
      dialRate: this.store.dialRate,
      dialer: this.dialer,
      optOuts: { isListed: async () => false },
      ledgers: this.store.personLedgers,
      callerUsages: this.store.callerUsages,
      campaigns: {
        get: async (campaignId: string) => ({ campaign: this.otherCampaigns.get(campaignId) ?? this.campaign }),
      },
      describeEnd: async (connectContactId: string) => {
        const placed = this.placed.get(connectContactId);
        if (placed === undefined)
          throw Object.assign(new Error('no such contact'), { name: 'ResourceNotFoundException' });
        return placed.ended;
      },
    };
  }

  addContacts(count: number, options: { dueAt?: Date; timeZone?: string; campaignId?: string } = {}): string[] {
    const phones = Array.from({ length: count }, (_, index) => `+4860${String(1_000_000 + index).padStart(7, '0')}`);
    for (const phone of phones) {
      this.store.addContact({
        campaignId: options.campaignId ?? this.campaign.id,
        date: DATE,
        phone,
        timeZone: options.timeZone ?? 'Europe/Warsaw',
        dueAt: options.dueAt ?? START,
      });
    }
    return phones;
  }

  /** Largest number of dials in any window of `seconds` (the rate the calls were placed at). */
  maxDialsIn(seconds: number): number {
    const times = this.dials.map((dial) => dial.at).sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= seconds * 1000) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }
}
