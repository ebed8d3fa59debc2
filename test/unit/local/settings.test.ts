/** The local cloud's settings: DynamoDB's two ports and the fault switch. */
import { describe, expect, it } from 'vitest';
import { localSettings } from '../../../local/settings.ts';

describe('localSettings', () => {
  it('puts DynamoDB Local next to the proxy port unless told otherwise, and no faults', () => {
    expect(localSettings({})).toMatchObject({
      LOCAL_DYNAMODB_PORT: 8000,
      LOCAL_DYNAMODB_BACKEND_PORT: 8001,
      LOCAL_DYNAMODB_FAULTS: { throttleProbability: 0 },
    });
    expect(localSettings({ LOCAL_DYNAMODB_PORT: '18000' }).LOCAL_DYNAMODB_BACKEND_PORT).toBe(18001);
    expect(localSettings({ LOCAL_DYNAMODB_BACKEND_PORT: '9000' }).LOCAL_DYNAMODB_BACKEND_PORT).toBe(9000);
    expect(localSettings({}).LOCAL_DYNAMODB_FAULTS.conflictHoldMs).toBeUndefined();
  });

  it('reads LOCAL_DYNAMODB_FAULTS and names it when it is wrong', () => {
    expect(
      localSettings({ LOCAL_DYNAMODB_FAULTS: 'conflicts=5-20ms,throttle=0.01' }).LOCAL_DYNAMODB_FAULTS,
    ).toMatchObject({
      conflictHoldMs: { min: 5, max: 20 },
      throttleProbability: 0.01,
    });
    expect(() => localSettings({ LOCAL_DYNAMODB_FAULTS: 'conflicts=10ms,throtle=1' })).toThrow(
      'invalid local settings: LOCAL_DYNAMODB_FAULTS: unknown key "throtle"; known keys: conflicts, throttle, deny, seed, throttleError',
    );
  });
});
