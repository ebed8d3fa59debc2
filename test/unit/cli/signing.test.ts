import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../../cli/api-client.ts';
import { createSigner, isLocalApi, regionOf } from '../../../cli/signing.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const AWS_API = new URL('https://abc123.execute-api.eu-west-1.amazonaws.com');

/** A fetch that records the requests it is given and answers 200 `{}`. */
function recordingFetch() {
  const requests: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
  const fetchFunction = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    requests.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    });
    return new Response('{"campaigns":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { requests, fetchFunction };
}

describe('which API is signed', () => {
  it.each([
    ['http://127.0.0.1:3000', true],
    ['http://localhost:3000', true],
    ['http://[::1]:3000', true],
    ['https://abc123.execute-api.eu-west-1.amazonaws.com', false],
    ['https://campaigns.example.org', false],
  ])('%s is local: %s', (url, local) => {
    expect(isLocalApi(new URL(url))).toBe(local);
  });

  it('takes the region from an execute-api host, else from AWS_REGION', () => {
    expect(regionOf(AWS_API, { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(regionOf(new URL('https://campaigns.example.org'), { AWS_REGION: 'us-east-1' })).toBe('us-east-1');
    expect(regionOf(new URL('https://campaigns.example.org'), {})).toBeUndefined();
  });

  it('has no signer for the local API', async () => {
    expect(await createSigner(new URL('http://127.0.0.1:3000'), {}, credentials)).toBeUndefined();
  });

  it('refuses to send signed requests over plain HTTP to a host that is not local', async () => {
    await expect(
      createSigner(new URL('http://10.0.0.5:3000'), { AWS_REGION: 'eu-west-1' }, credentials),
    ).rejects.toThrow('refusing to send AWS-signed requests to http://10.0.0.5:3000 over plain HTTP');
  });

  it('cannot sign for a custom domain without a region', async () => {
    await expect(createSigner(new URL('https://campaigns.example.org'), {}, credentials)).rejects.toThrow(
      'cannot tell the AWS region of https://campaigns.example.org',
    );
  });
});

describe('SigV4 signing', () => {
  it('signs for execute-api in the URL region, covering host, content type and the body hash', async () => {
    const signer = await createSigner(AWS_API, {}, credentials);
    if (signer === undefined) throw new Error('no signer');

    const headers = await signer.sign({
      method: 'POST',
      url: new URL('/campaigns/demo/lists?date=2026-11-23&format=csv', AWS_API),
      headers: { 'content-type': 'text/csv' },
      body: 'phone\n+48601234567\n',
    });

    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(headers.host).toBeUndefined();
  });

  it('sends an Authorization header to an execute-api URL and none to the local API', async () => {
    const aws = recordingFetch();
    const local = recordingFetch();
    const awsClient = new ApiClient(AWS_API, await createSigner(AWS_API, {}, credentials), aws.fetchFunction);
    const localClient = new ApiClient(new URL('http://127.0.0.1:3000'), undefined, local.fetchFunction);

    await awsClient.send({ path: '/campaigns' });
    await localClient.send({ path: '/campaigns' });

    expect(aws.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(aws.requests[0]?.url).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/campaigns');
    expect(local.requests[0]?.headers.authorization).toBeUndefined();
    expect(local.requests[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it('keeps a base path and sends query parameters, leaving out undefined ones', async () => {
    const recorded = recordingFetch();
    const client = new ApiClient(new URL('https://api.example.org/prod/'), undefined, recorded.fetchFunction);

    await client.send({ path: '/campaigns/demo/lists', query: { date: '2026-11-23', format: undefined } });

    expect(recorded.requests[0]?.url).toBe('https://api.example.org/prod/campaigns/demo/lists?date=2026-11-23');
  });
});
