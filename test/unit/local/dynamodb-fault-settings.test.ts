/** LOCAL_DYNAMODB_FAULTS and the control endpoint's body: what they accept, and how they refuse. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DynamoDbFaultSettings,
  DynamoDbFaultSettingsError,
  faultSettingsFromJson,
  faultsEnabled,
  formatDynamoDbFaults,
  MAX_HOLD_MS,
  NO_FAULTS,
  parseDynamoDbFaults,
  THROTTLE_ERRORS,
} from '../../../local/dynamodb-fault-settings.ts';

describe('parseDynamoDbFaults', () => {
  it('reads a fixed hold, a throttle probability and a seed', () => {
    expect(parseDynamoDbFaults('conflicts=10ms,throttle=0.01,seed=7')).toEqual({
      conflictHoldMs: { min: 10, max: 10 },
      throttleProbability: 0.01,
      denyProbability: 0,
      seed: 7,
      throttleError: 'ProvisionedThroughputExceededException',
    });
    expect(parseDynamoDbFaults('deny=100%').denyProbability).toBe(1);
  });

  it('reads ranges, seconds, percentages and spaces', () => {
    expect(parseDynamoDbFaults(' conflicts = 5-20ms , throttle = 2.5% ')).toMatchObject({
      conflictHoldMs: { min: 5, max: 20 },
      throttleProbability: 0.025,
    });
    expect(parseDynamoDbFaults('conflicts=1-2s').conflictHoldMs).toEqual({ min: 1000, max: 2000 });
    expect(parseDynamoDbFaults('conflicts=500ms-1s').conflictHoldMs).toEqual({ min: 500, max: 1000 });
    expect(parseDynamoDbFaults('conflicts=15').conflictHoldMs).toEqual({ min: 15, max: 15 });
    expect(parseDynamoDbFaults('throttle=1,throttleError=ThrottlingException')).toMatchObject({
      throttleProbability: 1,
      throttleError: 'ThrottlingException',
    });
  });

  it('treats empty, off and zero settings as no faults', () => {
    for (const spec of ['', '  ', 'off', 'conflicts=off', 'conflicts=0ms,throttle=0']) {
      const settings = parseDynamoDbFaults(spec);
      expect(faultsEnabled(settings), spec).toBe(false);
      expect(formatDynamoDbFaults(settings)).toBe('off');
    }
  });

  it('refuses unknown keys, naming every one of them and the variable', () => {
    expect(() => parseDynamoDbFaults('conflict=10ms,throtle=0.1,seed=1')).toThrow(
      'LOCAL_DYNAMODB_FAULTS: unknown keys "conflict", "throtle"; known keys: conflicts, throttle, deny, seed, throttleError',
    );
  });

  it.each([
    ['conflicts', 'LOCAL_DYNAMODB_FAULTS: expected key=value, got "conflicts"'],
    ['conflicts=ten', 'conflicts must be a hold time such as 10ms, 5-20ms or 1s (or off), got "ten"'],
    ['conflicts=20-5ms', 'conflicts range "20-5ms" ends before it starts'],
    ['conflicts=2m', 'got "2m"'],
    [`conflicts=${MAX_HOLD_MS + 1}ms`, `over the ${MAX_HOLD_MS} ms limit`],
    ['throttle=1.5', 'throttle must be between 0 and 1'],
    ['throttle=-0.1', 'throttle must be between 0 and 1'],
    ['throttle=often', 'throttle must be a probability such as 0.01 or 1%, got "often"'],
    ['throttle=%', 'throttle must be a probability'],
    ['deny=always', 'deny must be a probability such as 0.01 or 1%, got "always"'],
    ['deny=2', 'deny must be between 0 and 1'],
    ['seed=-1', 'seed must be an integer from 0 to 4294967295, got "-1"'],
    ['seed=1.5', 'seed must be an integer'],
    ['throttle=0.1,throttle=0.2', 'key "throttle" is given twice'],
    [
      'throttleError=SlowDown',
      'throttleError must be one of ProvisionedThroughputExceededException, ThrottlingException',
    ],
  ])('refuses %s with a message naming the problem', (spec, message) => {
    expect(() => parseDynamoDbFaults(spec)).toThrow(DynamoDbFaultSettingsError);
    expect(() => parseDynamoDbFaults(spec)).toThrow(message);
  });

  it('gives back what formatDynamoDbFaults wrote, for any settings', () => {
    const settings = fc.record(
      {
        conflictHoldMs: fc
          .tuple(fc.integer({ min: 1, max: MAX_HOLD_MS }), fc.integer({ min: 0, max: MAX_HOLD_MS }))
          .map(([a, b]) => ({ min: Math.min(a, b + 1), max: Math.max(a, b + 1) }))
          .filter((hold) => hold.max <= MAX_HOLD_MS),
        throttleProbability: fc.double({ min: 0, max: 1, noNaN: true }),
        denyProbability: fc.double({ min: 0, max: 1, noNaN: true }),
        seed: fc.integer({ min: 0, max: 0xffff_ffff }),
        throttleError: fc.constantFrom(...THROTTLE_ERRORS),
      },
      { requiredKeys: ['throttleProbability', 'denyProbability', 'throttleError'] },
    );
    fc.assert(
      fc.property(settings, (input: DynamoDbFaultSettings) => {
        const text = formatDynamoDbFaults(input);
        const parsed = parseDynamoDbFaults(text);
        if (!faultsEnabled(input)) {
          expect(text).toBe('off');
          expect(parsed).toEqual(NO_FAULTS);
          return;
        }
        expect(parsed).toEqual(input);
        expect(formatDynamoDbFaults(parsed)).toBe(text);
      }),
    );
  });

  it('either parses messy input into valid settings or throws its own error', () => {
    const messy = fc.oneof(
      fc.string(),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('conflicts', 'throttle', 'deny', 'seed', 'throttleError', 'conflict', ' throttle', ''),
            fc.oneof(fc.string(), fc.constantFrom('10ms', '5-20ms', '0.5', '50%', '7', '1s-2', '-', '1e400')),
          ),
          { maxLength: 5 },
        )
        .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join(',')),
    );
    fc.assert(
      fc.property(messy, (spec) => {
        let settings: DynamoDbFaultSettings;
        try {
          settings = parseDynamoDbFaults(spec);
        } catch (error) {
          expect(error).toBeInstanceOf(DynamoDbFaultSettingsError);
          expect((error as Error).message.startsWith('LOCAL_DYNAMODB_FAULTS: ')).toBe(true);
          return;
        }
        expect(settings.throttleProbability).toBeGreaterThanOrEqual(0);
        expect(settings.throttleProbability).toBeLessThanOrEqual(1);
        const hold = settings.conflictHoldMs;
        if (hold !== undefined) {
          expect(Number.isInteger(hold.min) && Number.isInteger(hold.max)).toBe(true);
          expect(0 <= hold.min && hold.min <= hold.max && hold.max <= MAX_HOLD_MS).toBe(true);
        }
      }),
    );
  });
});

describe('faultSettingsFromJson (PUT /__faults)', () => {
  it('reads the same keys as the variable, with numbers or strings', () => {
    expect(faultSettingsFromJson({ conflicts: '10ms', throttle: 0.5, seed: 3 })).toEqual(
      parseDynamoDbFaults('conflicts=10ms,throttle=0.5,seed=3'),
    );
    expect(faultSettingsFromJson({ spec: 'conflicts=5-20ms' })).toEqual(parseDynamoDbFaults('conflicts=5-20ms'));
    expect(faultSettingsFromJson({ conflicts: null, throttle: 0 })).toEqual(NO_FAULTS);
    expect(faultSettingsFromJson({})).toEqual(NO_FAULTS);
  });

  it('refuses what is not an object of simple values, naming the endpoint and the key', () => {
    expect(() => faultSettingsFromJson('conflicts=10ms')).toThrow('PUT /__faults: expected a JSON object');
    expect(() => faultSettingsFromJson({ conflicts: ['10ms'] })).toThrow(
      'PUT /__faults: conflicts must be a string or a number',
    );
    expect(() => faultSettingsFromJson({ conflicts: '10ms,throttle=1' })).toThrow('must not contain');
    expect(() => faultSettingsFromJson({ holds: '10ms' })).toThrow('PUT /__faults: unknown key "holds"');
  });
});
