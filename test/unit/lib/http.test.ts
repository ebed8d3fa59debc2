import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaHandler } from '../../../functions/lib/handler.ts';
import { badRequest, HttpError, type HttpEvent, httpHandler, json } from '../../../functions/lib/http.ts';
import { logger } from '../../../functions/lib/logger.ts';
import { MetricUnit, metrics } from '../../../functions/lib/metrics.ts';

const event = { rawPath: '/x', headers: {}, requestContext: { http: { method: 'GET' } } } as unknown as HttpEvent;
const context = {
  awsRequestId: 'request-1',
  functionName: 'campaign-engine-dev-probe',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:campaign-engine-dev-probe',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

class RefusedFileError extends Error {}

/** Everything written to stdout while `act` runs, as the JSON lines Powertools writes. */
async function stdoutLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('httpHandler', () => {
  it('answers what the handler returns', async () => {
    const handler = httpHandler(async () => json(201, { ok: true }));
    expect(await handler(event, context)).toMatchObject({ statusCode: 201, body: '{"ok":true}' });
  });

  it('shapes an HttpError into its status and a JSON body with code, message and problems', async () => {
    const handler = httpHandler(async () => {
      throw badRequest('invalid body', [{ path: 'body.date', message: 'expected a date' }]);
    });
    const response = await handler(event, context);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body))).toEqual({
      error: {
        code: 'BAD_REQUEST',
        message: 'invalid body',
        problems: [{ path: 'body.date', message: 'expected a date' }],
      },
    });
  });

  it("answers a handler's own refusals as its translation says, and only those", async () => {
    const translate = (error: unknown) =>
      error instanceof RefusedFileError ? new HttpError(422, 'REFUSED', error.message) : undefined;
    const refusing = httpHandler(async () => {
      throw new RefusedFileError('no phone column');
    }, translate);
    const response = await refusing(event, context);
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(String(response.body)).error).toMatchObject({ code: 'REFUSED', message: 'no phone column' });

    const failing = httpHandler(async () => {
      throw new Error('socket hang up');
    }, translate);
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect((await failing(event, context)).statusCode).toBe(500);
  });

  it('answers any other error as a 500 naming the request, and logs it with phone numbers masked', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const handler = httpHandler(async () => {
      throw new Error('ConditionalCheckFailed for +48601234567');
    });
    const response = await handler(event, context);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(String(response.body))).toEqual({
      error: { code: 'INTERNAL', message: 'internal error', requestId: 'request-1' },
    });
    expect(logged).toHaveBeenCalledTimes(1);
    const line = JSON.stringify(logged.mock.calls[0]);
    expect(line).toContain('+48*****4567');
    expect(line).not.toContain('601234567');
  });
});

describe('lambdaHandler', () => {
  it('puts the Lambda context on log lines and never logs the event', async () => {
    const handler = lambdaHandler(async (input: { phone: string }) => {
      logger.info('handled');
      return input.phone.length;
    });
    const lines = await stdoutLines(() => handler({ phone: '+48601234567' }, context));
    const handled = lines.find((line) => line.message === 'handled');
    expect(handled).toMatchObject({ function_request_id: 'request-1', function_name: 'campaign-engine-dev-probe' });
    expect(JSON.stringify(lines)).not.toContain('601234567');
  });

  it('flushes metrics added during the call when it ends, also when it throws', async () => {
    const handler = lambdaHandler(async (input: { fail: boolean }) => {
      metrics.addMetric('ProbeCount', MetricUnit.Count, 1);
      if (input.fail) throw new Error('failed after counting');
    });
    for (const fail of [false, true]) {
      const lines = await stdoutLines(() => handler({ fail }, context).catch(() => undefined));
      const emf = lines.find((line) => '_aws' in line);
      expect(emf, `fail=${fail}`).toMatchObject({ ProbeCount: 1 });
    }
  });
});
