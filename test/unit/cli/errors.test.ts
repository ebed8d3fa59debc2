import { describe, expect, it } from 'vitest';
import { apiBaseUrl, apiErrorOf, describeNetworkError, LOCAL_API, unreachable } from '../../../cli/api-client.ts';
import { ApiError, CliError, EXIT, errorJson, formatError, UsageError } from '../../../cli/errors.ts';

/** What fetch throws when nothing listens on the port (undici: TypeError "fetch failed" with the socket error). */
function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:3000`), { code }) });
}

describe('errors as the operator sees them', () => {
  it('is one line plus a hint for a failed connection to the local API', () => {
    const error = unreachable(new URL('http://localhost:3000/campaigns'), fetchFailed('ECONNREFUSED'), true);

    expect(formatError(error)).toBe(
      'error: cannot reach http://localhost:3000 (connection refused)\n' +
        'hint: start the local stack with `npm start`, or pass --api <url> (or set CAMPAIGN_API)\n',
    );
    expect(error.exitCode).toBe(EXIT.failure);
  });

  it('points at the URL and the network for an API in AWS', () => {
    const error = unreachable(
      new URL('https://abc.execute-api.eu-west-1.amazonaws.com/x'),
      fetchFailed('ENOTFOUND'),
      false,
    );

    expect(formatError(error)).toBe(
      'error: cannot reach https://abc.execute-api.eu-west-1.amazonaws.com (host not found)\n' +
        'hint: check the --api URL and your network connection\n',
    );
  });

  it('finds the reason among the attempts of a dual-stack connection', () => {
    const attempts = new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:3000'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' }),
    ]);

    expect(describeNetworkError(new TypeError('fetch failed', { cause: attempts }))).toBe('connection refused');
  });

  it("prints the API's message, status and problems by path", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          code: 'BAD_REQUEST',
          message: 'invalid body',
          problems: [
            { path: 'body.callerId', message: 'E.164 number such as +48221234567' },
            { path: 'body.script', message: 'Required' },
          ],
        },
      }),
      { status: 400 },
    );

    const error = await apiErrorOf(response, 'PUT /campaigns/demo');

    expect(formatError(error)).toBe(
      'error: invalid body (HTTP 400 BAD_REQUEST)\n' +
        '  body.callerId: E.164 number such as +48221234567\n' +
        '  body.script: Required\n',
    );
    expect(errorJson(error)).toEqual({
      error: {
        message: 'invalid body',
        status: 400,
        code: 'BAD_REQUEST',
        problems: [
          { path: 'body.callerId', message: 'E.164 number such as +48221234567' },
          { path: 'body.script', message: 'Required' },
        ],
        exitCode: EXIT.failure,
      },
    });
  });

  it("explains API Gateway's own refusal and hints at credentials", async () => {
    const error = await apiErrorOf(new Response('{"message":"Forbidden"}', { status: 403 }), 'GET /campaigns');

    expect(error).toBeInstanceOf(ApiError);
    expect(formatError(error)).toBe(
      'error: GET /campaigns: Forbidden (HTTP 403)\n' +
        'hint: check your AWS credentials (AWS_PROFILE, `aws sso login`) and that they may call execute-api:Invoke on this API\n',
    );
  });

  it('says an unexpected exception is a bug, and usage errors exit 2', () => {
    expect(formatError(new Error('boom'))).toMatch(/^error: boom\nhint: this is a bug in the CLI/);
    expect(new UsageError('x').exitCode).toBe(EXIT.usage);
    expect(formatError(new CliError('no hint'))).toBe('error: no hint\n');
  });
});

describe('apiBaseUrl', () => {
  it('takes --api, else CAMPAIGN_API, else the local stack', () => {
    expect(apiBaseUrl('https://a.example', { CAMPAIGN_API: 'https://b.example' }).href).toBe('https://a.example/');
    expect(apiBaseUrl(undefined, { CAMPAIGN_API: 'https://b.example' }).href).toBe('https://b.example/');
    expect(apiBaseUrl(undefined, {}).href).toBe(`${LOCAL_API}/`);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => apiBaseUrl('localhost:3000', {})).toThrow('the API URL "localhost:3000" is not http(s)');
    expect(() => apiBaseUrl('not a url', {})).toThrow('the API URL "not a url" is not a URL');
  });
});
