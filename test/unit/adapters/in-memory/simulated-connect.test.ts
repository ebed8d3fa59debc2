import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../../functions/adapters/in-memory/simulated-clock.ts';
import { SimulatedConnect, signalsOf } from '../../../../functions/adapters/in-memory/simulated-connect.ts';
import { AttemptOutcomeSchema } from '../../../../functions/core/campaign.ts';
import type { AttemptDraw } from '../../../../functions/core/planning/outcome-mix.ts';
import { classifyOutcome } from '../../../../functions/core/policy/outcome.ts';
import type { CallEndSignals } from '../../../../functions/use-cases/dialing/ports.ts';

const START = new Date('2026-03-02T09:00:00Z');
const refOf = (phone: string, attempt = 1) => ({ campaignId: 'sim', date: '2026-03-02', phone, attempt });

describe('signalsOf', () => {
  it.each(AttemptOutcomeSchema.options)('gives signals the engine classifies back as %s', (outcome) => {
    const draw: AttemptDraw = { outcome, lineMs: 40_000, talkMs: 30_000 };
    const { signals, flow } = signalsOf(outcome, START.getTime(), draw, 3);
    const classified = classifyOutcome({
      disconnectReason: signals.disconnectReason,
      answeringMachineDetectionStatus: signals.answeringMachineDetectionStatus,
      connectedToSystemTimestamp: signals.connectedToSystemTimestamp,
      ...(flow && { flow: { ...flow, questionsTotal: 3 } }),
    });
    expect(classified).toBe(outcome);
    expect(signals.disconnectTimestamp).toBe(new Date(START.getTime() + 40_000).toISOString());
  });
});

describe('SimulatedConnect', () => {
  function connectOf(quotas: { concurrentCalls: number; dialsPerSecond: number; dialBurst: number }) {
    const clock = new SimulatedClock(START);
    const ended: Array<{ id: string; signals: CallEndSignals; at: number }> = [];
    const connect = new SimulatedConnect({
      clock,
      draw: () => ({ outcome: 'COMPLETED', lineMs: 10_000, talkMs: 8_000 }),
      questions: 1,
      quotas,
      onFlowRecorded: () => undefined,
      onEnded: (id, signals) => ended.push({ id, signals, at: clock.now().getTime() }),
    });
    const call = (phone: string, attempt = 1) =>
      connect.start({ ref: refOf(phone, attempt), source: '+48221234567', ringTimeoutSeconds: 30 });
    return { clock, connect, ended, call };
  }

  it('ends each call after its line time, with its signals, and finds it again by its attempt', async () => {
    const { clock, connect, ended, call } = connectOf({ concurrentCalls: 5, dialsPerSecond: 5, dialBurst: 5 });
    const started = await call('+999000000001');
    expect(started.kind).toBe('STARTED');
    expect(await call('+999000000001')).toEqual(started);
    await clock.run();
    expect(ended).toHaveLength(1);
    expect(ended[0]?.at).toBe(START.getTime() + 10_000);
    const id = started.kind === 'STARTED' ? started.connectContactId : '';
    expect((await connect.lookUp(id))?.ref.phone).toBe('+999000000001');
    expect(connect.calls).toHaveLength(1);
  });

  it("refuses what Connect's quotas refuse: over the concurrent calls, and over the rate's burst", async () => {
    const lines = connectOf({ concurrentCalls: 2, dialsPerSecond: 100, dialBurst: 100 });
    const results = await Promise.all(['1', '2', '3'].map((n) => lines.call(`+99900000000${n}`)));
    expect(results.map((result) => result.kind)).toEqual(['STARTED', 'STARTED', 'THROTTLED']);
    expect(lines.connect.refused).toEqual({ concurrency: 1, rate: 0 });

    const rate = connectOf({ concurrentCalls: 100, dialsPerSecond: 1, dialBurst: 2 });
    const burst = await Promise.all(['1', '2', '3'].map((n) => rate.call(`+99900000000${n}`)));
    expect(burst.map((result) => result.kind)).toEqual(['STARTED', 'STARTED', 'THROTTLED']);
    expect(rate.connect.refused).toEqual({ concurrency: 0, rate: 1 });
    expect(rate.connect.peakInFlight).toBe(2);
  });
});
