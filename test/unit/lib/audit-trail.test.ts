import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../functions/core/audit.ts';
import { auditedHttpHandler, callerIdentity } from '../../../functions/lib/audit-trail.ts';
import { conflict, type HttpEvent, json } from '../../../functions/lib/http.ts';

const event = (extra: Record<string, unknown> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: 'POST /x',
    rawPath: '/x',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' } },
    ...extra,
  }) as unknown as HttpEvent;
const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

describe('callerIdentity', () => {
  it('takes the IAM principal API Gateway verified, whatever the headers say', () => {
    const signed = event({
      headers: { 'x-operator': 'mallory' },
      requestContext: {
        authorizer: { iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/ops/alice', accountId: '123456789012' } },
      },
    });
    expect(callerIdentity(signed)).toEqual({
      kind: 'iam',
      id: 'arn:aws:sts::123456789012:assumed-role/ops/alice',
      account: '123456789012',
    });
  });

  it('names the local operator the CLI sends, else the user running the local stack', () => {
    expect(callerIdentity(event({ headers: { 'x-operator': 'alice' } }))).toEqual({ kind: 'local', id: 'alice' });
    expect(callerIdentity(event())).toMatchObject({ kind: 'local', id: expect.stringContaining('@') });
  });
});

describe('auditedHttpHandler', () => {
  it('appends the action with its target, details and result, refused actions too', async () => {
    const entries: AuditEntry[] = [];
    const sink = { append: async (entry: AuditEntry) => void entries.push(entry) };
    const ok = auditedHttpHandler('RUN_START', sink, async (_event, _context, note) => {
      note.target = { campaignId: 'demo', date: '2026-03-02' };
      note.details = { generation: 2 };
      return json(202, {});
    });
    const refused = auditedHttpHandler('RUN_START', sink, async (_event, _context, note) => {
      note.target = { campaignId: 'demo' };
      throw conflict('already RUNNING');
    });

    expect((await ok(event({ headers: { 'x-operator': 'alice' } }), context)).statusCode).toBe(202);
    expect((await refused(event(), context)).statusCode).toBe(409);

    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      action: 'RUN_START',
      actor: { kind: 'local', id: 'alice' },
      target: { campaignId: 'demo', date: '2026-03-02' },
      result: { status: 202 },
      details: { generation: 2 },
    });
    expect(entries[1]).toMatchObject({ result: { status: 409, code: 'CONFLICT', message: 'already RUNNING' } });
  });

  it('answers the action even when the audit log cannot be written', async () => {
    const failing = { append: async () => Promise.reject(new Error('DynamoDB down')) };
    const handler = auditedHttpHandler('DNC_ADD', failing, async () => json(200, { added: 1 }));
    expect((await handler(event(), context)).statusCode).toBe(200);
  });
});
