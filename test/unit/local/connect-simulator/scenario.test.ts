import { describe, expect, it } from 'vitest';
import {
  InvalidScenarioError,
  type PlanCallInput,
  parseScenario,
  planCall,
} from '../../../../local/connect-simulator/scenario.ts';

const FIRST_CALL: PlanCallInput = { destination: '+48600000001', attempt: 0, amdEnabled: true, ringTimeoutMs: 60_000 };

describe('ScenarioSchema', () => {
  it('fills every default from an empty scenario', () => {
    const scenario = parseScenario({});

    expect(scenario).toMatchObject({
      seed: 1,
      timeScale: 1,
      hangUpProbability: 0.1,
      numbers: {},
      faults: { dropProbability: 0, duplicateProbability: 0, delayProbability: 0 },
    });
    expect(Object.values(scenario.outcomes).reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1);
  });

  it.each([
    ['a probability above 1', { hangUpProbability: 1.5 }],
    ['all outcome weights zero', { outcomes: { BUSY: 0 } }],
    ['an inverted range', { talkMs: { min: 10, max: 5 } }],
    ['a number that is not E.164', { numbers: { '0048600000001': { outcome: 'BUSY' } } }],
    ['an unknown outcome', { numbers: { '+48600000001': { outcome: 'HUNG_UP' } } }],
    ['an unknown key (typo)', { timescale: 0.1 }],
    ['a negative time scale', { timeScale: -1 }],
  ])('rejects %s', (_case, input) => {
    expect(() => parseScenario(input)).toThrow(InvalidScenarioError);
  });
});

describe('planCall', () => {
  it('is deterministic in seed, destination and attempt', () => {
    const scenario = parseScenario({ seed: 3 });

    const again = planCall(scenario, FIRST_CALL);
    const plans = Array.from({ length: 50 }, (_, attempt) => planCall(scenario, { ...FIRST_CALL, attempt }));

    expect(planCall(scenario, FIRST_CALL)).toEqual(again);
    expect(new Set(plans.map((plan) => plan.outcome)).size).toBeGreaterThan(2);
  });

  it('draws outcomes in proportion to their weights', () => {
    const scenario = parseScenario({ seed: 11, outcomes: { ANSWERED: 3, BUSY: 1 } });

    const outcomes = Array.from(
      { length: 4_000 },
      (_, index) =>
        planCall(scenario, { ...FIRST_CALL, destination: `+4860${String(index).padStart(7, '0')}` }).outcome,
    );
    const answeredShare = outcomes.filter((outcome) => outcome === 'ANSWERED').length / outcomes.length;

    expect(new Set(outcomes)).toEqual(new Set(['ANSWERED', 'BUSY']));
    expect(answeredShare).toBeGreaterThan(0.72);
    expect(answeredShare).toBeLessThan(0.78);
  });

  it('keeps the other draws when an override fixes one field', () => {
    const base = parseScenario({ seed: 5, outcomes: { ANSWERED: 1 }, hangUpProbability: 0 });
    const overridden = parseScenario({ ...base, numbers: { [FIRST_CALL.destination]: { talkMs: 1_234 } } });

    const plain = planCall(base, FIRST_CALL);
    const fixed = planCall(overridden, FIRST_CALL);

    expect(fixed).toEqual({ ...plain, talkMs: 1_234 });
  });

  it('turns an answer after the ring timeout into a no-answer at the timeout', () => {
    const scenario = parseScenario({ numbers: { [FIRST_CALL.destination]: { outcome: 'ANSWERED', ringMs: 20_000 } } });

    const plan = planCall(scenario, { ...FIRST_CALL, ringTimeoutMs: 15_000 });

    expect(plan).toMatchObject({
      outcome: 'NO_ANSWER',
      ringMs: 15_000,
      connects: false,
      runsFlow: false,
      disconnectReason: 'TELECOM_TIMEOUT',
      amdStatus: 'AMD_UNANSWERED',
    });
  });

  it.each([
    ['ANSWERED', true, undefined, 'HUMAN_ANSWERED'],
    ['VOICEMAIL', true, undefined, 'VOICEMAIL_BEEP'],
    ['NO_ANSWER', false, 'TELECOM_TIMEOUT', 'AMD_UNANSWERED'],
    ['BUSY', false, 'TELECOM_BUSY', 'SIT_TONE_BUSY'],
    ['INVALID_NUMBER', false, 'TELECOM_NUMBER_INVALID', 'SIT_TONE_INVALID_NUMBER'],
    ['FAILED', false, 'TELECOM_PROBLEM', 'AMD_NOT_APPLICABLE'],
  ] as const)('maps %s to connects=%s, reason %s, AMD %s', (outcome, connects, reason, amdStatus) => {
    const scenario = parseScenario({ voicemailBeepProbability: 1, numbers: { [FIRST_CALL.destination]: { outcome } } });

    const withAmd = planCall(scenario, FIRST_CALL);
    const withoutAmd = planCall(scenario, { ...FIRST_CALL, amdEnabled: false });

    expect(withAmd).toMatchObject({ outcome, connects, runsFlow: connects, disconnectReason: reason, amdStatus });
    expect(withoutAmd.amdStatus).toBeUndefined();
  });

  it('takes disconnect reasons from the scenario, drawing from a list', () => {
    const scenario = parseScenario({
      outcomes: { BUSY: 1 },
      disconnectReasons: { BUSY: ['TELECOM_BUSY', 'OUTBOUND_DESTINATION_ENDPOINT_ERROR'] },
    });

    const reasons = new Set(
      Array.from({ length: 100 }, (_, attempt) => planCall(scenario, { ...FIRST_CALL, attempt }).disconnectReason),
    );

    expect(reasons).toEqual(new Set(['TELECOM_BUSY', 'OUTBOUND_DESTINATION_ENDPOINT_ERROR']));
  });

  it('connects SIT-tone calls to the system only when asked and AMD is on', () => {
    const scenario = parseScenario({ outcomes: { BUSY: 1 }, sitToneConnectsToSystem: true });

    expect(planCall(scenario, FIRST_CALL)).toMatchObject({
      connects: true,
      runsFlow: false,
      amdStatus: 'SIT_TONE_BUSY',
    });
    expect(planCall(scenario, { ...FIRST_CALL, amdEnabled: false }).connects).toBe(false);
  });

  it('lets answering humans hang up, but never voicemail', () => {
    const scenario = parseScenario({ hangUpProbability: 1, hangUpAfterMs: 7_000 });
    const forced = parseScenario({ numbers: { [FIRST_CALL.destination]: { outcome: 'VOICEMAIL', hangUpAfterMs: 1 } } });

    const plans = Array.from({ length: 200 }, (_, attempt) => planCall(scenario, { ...FIRST_CALL, attempt }));

    for (const plan of plans) {
      expect(plan.hangUpAfterMs).toBe(plan.outcome === 'ANSWERED' ? 7_000 : undefined);
    }
    expect(planCall(forced, FIRST_CALL).hangUpAfterMs).toBeUndefined();
  });

  it('lets an answering machine hang up at its maximum message length, and changes no other draw', () => {
    const outcomes = { ANSWERED: 1, VOICEMAIL: 1, BUSY: 1, FAILED: 1 };
    const machines = parseScenario({ outcomes, voicemailMs: { min: 10_000, max: 30_000 } });
    const recordingOn = parseScenario({ outcomes });

    for (let attempt = 0; attempt < 200; attempt++) {
      const plan = planCall(machines, { ...FIRST_CALL, attempt });
      const before = planCall(recordingOn, { ...FIRST_CALL, attempt });
      const { hangUpAfterMs, ...rest } = plan;
      const { hangUpAfterMs: hangUpBefore, ...restBefore } = before;
      expect(rest).toEqual(restBefore);
      if (plan.outcome === 'VOICEMAIL') {
        expect(hangUpAfterMs).toBeGreaterThanOrEqual(10_000);
        expect(hangUpAfterMs).toBeLessThanOrEqual(30_000);
        expect(hangUpBefore).toBeUndefined();
      } else {
        expect(hangUpAfterMs).toBe(hangUpBefore);
      }
    }
  });
});
