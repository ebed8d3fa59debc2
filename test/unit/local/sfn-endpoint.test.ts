/** The local Step Functions endpoint fails a Lambda task with the error's own name, as Lambda reports it. */
import { describe, expect, it } from 'vitest';
import { lambdaErrorType } from '../../../local/sfn-endpoint.ts';

describe('lambdaErrorType', () => {
  it('takes the name from the trace when serverless-offline reports a plain Error', () => {
    const body = {
      errorType: 'Error',
      errorMessage: '5 ticks in a row failed to start calls',
      trace: ['DispatcherError: 5 ticks in a row failed to start calls', '    at handler (dispatch.mjs:1:1)'],
    };

    expect(lambdaErrorType(body)).toBe('DispatcherError');
  });

  it('keeps a specific error type, and a plain Error whose trace names none', () => {
    expect(lambdaErrorType({ errorType: 'TransientError', trace: ['Error: x'] })).toBe('TransientError');
    expect(lambdaErrorType({ errorType: 'Error', trace: ['something odd'] })).toBe('Error');
    expect(lambdaErrorType('not a Lambda error')).toBe('Lambda.Unknown');
  });
});
