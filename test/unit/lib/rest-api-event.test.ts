/**
 * A private API (REST, payload 1.0) calls the same handlers as the HTTP API (payload 2.0): its events are read in the
 * HTTP API's shape. Fixture: AWS's own REST event of an IAM-authorised call (test/events/apigateway/SOURCES.md).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as dashboard } from '../../../functions/handlers/http/dashboard.ts';
import { listFileBytes } from '../../../functions/handlers/http/list-requests.ts';
import { type HttpEvent, httpHandler, json, jsonBody } from '../../../functions/lib/http.ts';
import { asHttpEvent, type RestApiEvent, RestApiEventSchema } from '../../../functions/lib/rest-api-event.ts';

const SAMPLE = RestApiEventSchema.parse(
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../events/apigateway/rest-iam-auth.json'), 'utf8')),
);

/** The sample, as a call of one of our routes. */
const restCall = (changes: Partial<RestApiEvent>): RestApiEvent => ({ ...structuredClone(SAMPLE), ...changes });

describe('REST API events read as HTTP API events', () => {
  it("reads AWS's sample as published: its path without the stage, method, lower-case headers, caller", () => {
    const event = asHttpEvent(SAMPLE);

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /iam',
      rawPath: '/iam',
      rawQueryString: '',
      isBase64Encoded: false,
      requestContext: {
        accountId: '123456789012',
        apiId: 'puhdx84jy9',
        stage: 'prod',
        requestId: '89f9261a-2765-4d49-b72e-f76726991e44',
        http: { method: 'POST', path: '/iam', sourceIp: '15.248.3.126', userAgent: 'HTTPie/3.2.2' },
        timeEpoch: 1718636305078,
      },
    });
    expect(event.headers['user-agent']).toBe('HTTPie/3.2.2');
    expect(event.headers['User-Agent']).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
  });

  it('hands an uploaded list (base64, as a REST API with binary media types */* sends every body) to the handlers', () => {
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x80]);
    const event = asHttpEvent(
      restCall({
        resource: '/campaigns/{campaignId}/lists',
        path: '/campaigns/demo/lists',
        pathParameters: { campaignId: 'demo' },
        queryStringParameters: { date: '2026-11-23', format: 'xlsx' },
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }),
    );

    expect(event.pathParameters).toEqual({ campaignId: 'demo' });
    expect(event.queryStringParameters).toEqual({ date: '2026-11-23', format: 'xlsx' });
    expect(event.rawQueryString).toBe('date=2026-11-23&format=xlsx');
    expect(event.headers['content-type']).toBe('application/octet-stream');
    expect(listFileBytes(event, 'xlsx')).toEqual(bytes);
  });

  it('leaves HTTP API events as they are', () => {
    const event = { version: '2.0', rawPath: '/health', headers: {} } as unknown as HttpEvent;
    expect(asHttpEvent(event)).toBe(event);
  });

  it('gives every API handler the HTTP API shape (the shared middleware)', async () => {
    const echo = httpHandler(async (event) =>
      json(200, { path: event.rawPath, campaignId: event.pathParameters?.campaignId, body: jsonBody(event) }),
    );
    const call = restCall({
      resource: '/campaigns/{campaignId}/runs',
      path: '/campaigns/demo/runs',
      pathParameters: { campaignId: 'demo' },
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{"date":"2026-11-23"}').toString('base64'),
      isBase64Encoded: true,
    });

    const response = await echo(call as unknown as HttpEvent, { awsRequestId: 'test' } as Context);

    expect(JSON.parse(String(response.body))).toEqual({
      path: '/campaigns/demo/runs',
      campaignId: 'demo',
      body: { date: '2026-11-23' },
    });
  });

  it('serves the dashboard page to a REST API call of its root', async () => {
    const response = await dashboard(
      restCall({ resource: '/', path: '/', httpMethod: 'GET', body: null }) as unknown as HttpEvent,
      { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context,
    );
    expect(response.statusCode).toBe(200);
    expect(String(response.headers?.['content-type'])).toContain('text/html');
  });
});
