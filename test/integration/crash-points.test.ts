/**
 * Crash points of the dial path, on the real use cases and adapters against the local cloud with DynamoDB's
 * contention rules on (the fault proxy: transaction conflicts and throttling).
 *
 * A process is "killed" at an exact point: every port call it makes from then on never returns, as if the
 * Lambda had been stopped there, and the call that triggered the kill has done its work (the write landed, the
 * call was placed). The rest of the engine (the real dispatcher, contact-event handler and sweeper, through the
 * local cloud) must then finish the run with every invariant intact, judged from the Connect simulator's call
 * log and the table:
 * - no (contact, attempt) dialled twice, and nobody dialled again after a final outcome;
 * - every contact ends in a final status;
 * - the lines in use return to zero within the reconcile time;
 * - the run's counters equal its contacts' statuses.
 */
import { ConnectClient } from '@aws-sdk/client-connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallMap } from '../../functions/adapters/call-map.ts';
import { ConnectDialer } from '../../functions/adapters/connect-dialer.ts';
import { DynamoDbContacts } from '../../functions/adapters/contacts.ts';
import { DialRateStore } from '../../functions/adapters/dial-rate.ts';
import { DynamoDbLineLeases } from '../../functions/adapters/line-leases.ts';
import { RunCounters } from '../../functions/adapters/run-counters.ts';
import { RunStore } from '../../functions/adapters/run-store.ts';
import { parseCampaign } from '../../functions/core/campaign.ts';
import { FINAL_CONTACT_STATUSES } from '../../functions/core/policy/retry-policy.ts';
import { systemClock } from '../../functions/lib/clock.ts';
import { dispatchTick } from '../../functions/use-cases/dialing/dispatch-tick.ts';
import { endCall } from '../../functions/use-cases/dialing/settle-attempt.ts';
import {
  api,
  callLog,
  cloud,
  invokeFunction,
  localDocumentClient,
  runCounters,
  runItems,
  setDynamoDbFaults,
  setScenario,
  simulatorStats,
  testCampaign,
  today,
  waitFor,
  writeContacts,
} from './support.ts';

const CAMPAIGN = 'crash-points';
const CONTACTS = 40;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const documents = localDocumentClient();
const connect = new ConnectClient({
  endpoint: cloud.endpoints.connect,
  region: 'eu-west-1',
  credentials,
  maxAttempts: 1,
});
const definition = testCampaign(CAMPAIGN);
const campaign = parseCampaign(definition);

/** A process that can be stopped at an exact point: from then on, none of its port calls ever returns. */
class Process {
  dead = false;
  private readonly onKill: Array<() => void> = [];

  /** Resolves when the process has been killed. */
  readonly killed = new Promise<void>((resolve) => this.onKill.push(resolve));

  kill(): void {
    this.dead = true;
    for (const notify of this.onKill) notify();
  }

  /** `port` with every method stopped once the process is dead; `killAfter` names methods whose first call kills it. */
  wrap<T extends object>(port: T, killAfter: ReadonlyArray<keyof T> = []): T {
    const process = this;
    let armed = killAfter.length > 0;
    return new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (process.dead) return new Promise(() => undefined);
          const result = await value.apply(target, args);
          if (armed && killAfter.includes(property as keyof T)) {
            armed = false;
            process.kill();
            return new Promise(() => undefined);
          }
          if (process.dead) return new Promise(() => undefined);
          return result;
        };
      },
    });
  }
}

function adapters() {
  const counters = new RunCounters(cloud.tableName, documents);
  return {
    runs: new RunStore(cloud.tableName, counters, documents),
    contacts: new DynamoDbContacts(cloud.tableName, documents),
    leases: new DynamoDbLineLeases(cloud.tableName, cloud.caps, 1, documents),
    calls: new CallMap(cloud.tableName, 1, documents),
    dialRate: new DialRateStore(cloud.tableName, documents),
    dialer: new ConnectDialer(
      { instanceId: cloud.connectInstanceId, contactFlowId: cloud.contactFlowId, engineId: cloud.engineId },
      connect,
    ),
  };
}

/** A dispatcher tick in a process killed right after the first call of `point` (a port and its method). */
async function tickKilledAfter(tick: number, point: { port: string; method: string }): Promise<void> {
  const process = new Process();
  const real = adapters();
  const wrap = <T extends object>(name: string, port: T) =>
    process.wrap(port, point.port === name ? [point.method as keyof T] : []);
  const ports = {
    runs: wrap('runs', real.runs),
    contacts: wrap('contacts', real.contacts),
    leases: wrap('leases', real.leases),
    calls: wrap('calls', real.calls),
    dialRate: wrap('dialRate', real.dialRate),
    dialer: wrap('dialer', real.dialer),
    optOuts: process.wrap({ isListed: async () => false }),
    clock: {
      now: () => new Date(),
      sleep: (ms: number) => (process.dead ? new Promise<void>(() => undefined) : systemClock.sleep(ms)),
    },
  };
  void dispatchTick(
    ports,
    {
      maxConcurrentCalls: cloud.caps.maxConcurrentCalls,
      dialsPerSecond: cloud.caps.dialsPerSecond,
      dialBurst: cloud.caps.dialBurst,
      tickSeconds: 1,
      leaseSeconds: 10,
    },
    campaign,
    { campaignId: CAMPAIGN, date: today(), tick, generation: 0 },
  );
  await process.killed;
}

const settled = new Set<string>(FINAL_CONTACT_STATUSES);

describe('crash points of the dial path, with DynamoDB conflicts and throttling', () => {
  beforeAll(async () => {
    await setDynamoDbFaults({ conflicts: '5-20ms', throttle: 0.02 });
    await api('PUT', `/campaigns/${CAMPAIGN}`, definition);
    const phones = Array.from({ length: CONTACTS }, (_, index) => `+4860170${String(index).padStart(4, '0')}`);
    await writeContacts(CAMPAIGN, today(), phones, new Date());
    await invokeFunction('runInit', { campaignId: CAMPAIGN, date: today(), generation: 0 });
  }, 60_000);

  afterAll(async () => {
    await setDynamoDbFaults({});
  });

  it('finishes the run with every invariant after dispatcher and call-ended processes die at each point', async () => {
    // The dispatcher dies: after a claim landed; after Connect accepted the call; after the call was recorded.
    await tickKilledAfter(0, { port: 'leases', method: 'claim' });
    await tickKilledAfter(1, { port: 'dialer', method: 'start' });
    await tickKilledAfter(2, { port: 'calls', method: 'record' });

    // The same tick twice (a Step Functions retry): the second takes no tokens and dials nobody again.
    const first = (await invokeFunction('dispatch', {
      campaignId: CAMPAIGN,
      date: today(),
      tick: 3,
      generation: 0,
    })) as {
      started: number;
    };
    const bucketAfterFirst = await new DialRateStore(cloud.tableName, documents).get();
    const again = (await invokeFunction('dispatch', {
      campaignId: CAMPAIGN,
      date: today(),
      tick: 3,
      generation: 0,
    })) as {
      started: number;
    };
    expect(first.started).toBeGreaterThan(0);
    expect(again.started).toBe(0);
    expect((await new DialRateStore(cloud.tableName, documents).get())?.version).toBe(bucketAfterFirst?.version);

    // Call-ended dies: events are held back while calls end, then one handler dies before settling, another
    // after. The sweeper settles the first from Connect; a retry of the second changes nothing.
    await setScenario({ seed: 11, timeScale: 0.02, faults: { dropProbability: 1 } });
    await invokeFunction('dispatch', { campaignId: CAMPAIGN, date: today(), tick: 4, generation: 0 });
    const ended = await waitFor('two calls ended without events', async () => {
      const calls = callLog().filter((call) => call.attributes.campaignId === CAMPAIGN && call.attributes.attempt);
      return calls.length >= 2 ? calls.slice(-2) : undefined;
    });
    for (const [index, call] of ended.entries()) {
      const process = new Process();
      const real = adapters();
      const ports = {
        contacts: process.wrap(real.contacts, index === 0 ? ['get'] : []),
        leases: process.wrap(real.leases, index === 1 ? ['finish'] : []),
        calls: process.wrap(real.calls),
        dialer: { lookUp: async () => undefined },
        campaigns: { get: async () => ({ campaign }) },
        clock: systemClock,
      };
      void endCall(ports, call.contactId, {
        disconnectReason: call.disconnectReason,
        disconnectTimestamp: call.endedAt,
      });
      await process.killed;
    }
    const retried = await endCall(
      {
        ...adapters(),
        dialer: { lookUp: async () => undefined },
        campaigns: { get: async () => ({ campaign }) },
        clock: systemClock,
      },
      ended[1]?.contactId ?? '',
      {
        disconnectReason: ended[1]?.disconnectReason,
        disconnectTimestamp: ended[1]?.endedAt,
      },
    );
    expect(retried).toEqual({ settled: false, reason: 'ALREADY_SETTLED' });
    await setScenario({ seed: 12, timeScale: 0.02 });

    // The real engine finishes the run: dispatcher ticks, contact events, the sweeper every few seconds.
    let tick = 5;
    await waitFor(
      'every contact final and no line held',
      async () => {
        const result = (await invokeFunction('dispatch', {
          campaignId: CAMPAIGN,
          date: today(),
          tick: tick++,
          generation: 0,
        })) as {
          action: string;
        };
        await invokeFunction('sweeper');
        const contacts = await runItems(CAMPAIGN, today(), 'CONTACT#');
        const lines = await adapters().leases.shards();
        const done =
          contacts.every((contact) => settled.has(String(contact.status))) &&
          lines.every((line) => line.inFlight === 0);
        if (!done && result.action !== 'FINALIZE') await new Promise((resolve) => setTimeout(resolve, 1_000));
        return done ? true : undefined;
      },
      240_000,
    );
    await waitFor('simulator idle', async () => ((await simulatorStats()).active === 0 ? true : undefined));

    // Judge from the call log and the table.
    const calls = callLog().filter((call) => call.attributes.campaignId === CAMPAIGN);
    const attempts = calls.map((call) => `${call.destination}#${call.attributes.attempt}`);
    expect(new Set(attempts).size).toBe(attempts.length);
    const contacts = await runItems(CAMPAIGN, today(), 'CONTACT#');
    expect(contacts).toHaveLength(CONTACTS);
    for (const contact of contacts) {
      expect(settled.has(String(contact.status))).toBe(true);
      const log = contact.attemptLog as Array<{ n: number; endedAt?: string }>;
      const finalEnd = log.at(-1)?.endedAt;
      const phone = String(contact.sk).slice('CONTACT#'.length);
      // Nobody is called after the attempt that ended them.
      for (const call of calls.filter((entry) => entry.destination === phone)) {
        expect(Number(call.attributes.attempt)).toBeLessThanOrEqual(log.length);
        if (finalEnd !== undefined) expect(call.startedAt <= finalEnd).toBe(true);
      }
    }
    const counters = await runCounters(CAMPAIGN, today());
    const byStatus = new Map<string, number>();
    for (const contact of contacts)
      byStatus.set(String(contact.status), (byStatus.get(String(contact.status)) ?? 0) + 1);
    for (const [status, count] of byStatus) expect(counters[`n_${status}`]).toBe(count);
    expect(counters.inFlight ?? 0).toBe(0);
    expect(counters.n_DIALING ?? 0).toBe(0);
    expect(counters.attemptsStarted).toBe(calls.length);
  }, 300_000);
});
