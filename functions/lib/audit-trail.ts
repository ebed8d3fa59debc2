/**
 * Audited HTTP handlers: every operator action is appended to the audit log (functions/core/audit.ts) with the
 * caller's identity, the time, the target, the result, and what the handler noted (counts, a diff), whether the
 * action succeeded or was refused.
 *
 * The caller: in AWS every data route is IAM-authorised (SigV4), and API Gateway passes the verified principal in
 * `requestContext.authorizer.iam`; that is what is recorded. The local stack has no IAM: there the operator is the
 * `x-operator` header the CLI sends (the local user), else the user running the local stack. A route that lost its
 * IAM authoriser in AWS would show up as `kind: local` entries, never as an IAM principal.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import type { AuditAction, AuditActor, AuditEntry, AuditTarget, DiffEntry } from '../core/audit.ts';
import type { HandlerOptions } from './handler.ts';
import { type ErrorTranslation, HttpError, type HttpEvent, type HttpResult, httpHandler } from './http.ts';
import { logger } from './logger.ts';
import { MetricUnit, publishMetrics } from './metrics.ts';

/** What an audited handler notes about its action while it runs. */
export interface AuditNote {
  /** The action, when the route alone does not say (pause, resume or stop). */
  action?: AuditAction;
  target: AuditTarget;
  details?: Record<string, string | number | boolean>;
  diff?: DiffEntry[];
  diffTruncated?: boolean;
}

/** Where entries go (functions/adapters/audit-log.ts). */
export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
}

const IamContextSchema = z.object({
  requestContext: z.object({
    authorizer: z
      .object({
        iam: z.object({ userArn: z.string().min(1).max(300), accountId: z.string().max(20).optional() }).optional(),
      })
      .optional(),
  }),
});

let localUser: string | undefined;
const runningUser = (): string => {
  localUser ??= `${userInfo().username}@${hostname()}`.slice(0, 300);
  return localUser;
};

/** Who is calling: the IAM principal API Gateway verified, else (local stack) the operator the CLI names. */
export function callerIdentity(event: HttpEvent): AuditActor {
  const context = IamContextSchema.safeParse(event);
  const iam = context.success ? context.data.requestContext.authorizer?.iam : undefined;
  if (iam !== undefined) {
    return { kind: 'iam', id: iam.userArn, ...(iam.accountId !== undefined && { account: iam.accountId }) };
  }
  const named = event.headers?.['x-operator']?.trim();
  return { kind: 'local', id: named !== undefined && named !== '' ? named.slice(0, 300) : runningUser() };
}

/**
 * An HTTP handler whose every request is audited as `action`. The handler fills the note; the entry is appended
 * after the answer is known (a failed append is logged and counted, `AuditWriteFailures`, and does not undo the
 * action the operator already took).
 */
export function auditedHttpHandler(
  action: AuditAction,
  sink: AuditSink,
  handler: (event: HttpEvent, context: Context, note: AuditNote) => Promise<HttpResult>,
  translate?: ErrorTranslation,
  options: HandlerOptions = {},
) {
  return httpHandler(
    async (event, context) => {
      const note: AuditNote = { target: {} };
      const record = async (result: AuditEntry['result']) => {
        const entry: AuditEntry = {
          id: randomUUID(),
          at: new Date().toISOString(),
          actor: callerIdentity(event),
          action: note.action ?? action,
          target: note.target,
          result,
          ...(note.details !== undefined && { details: note.details }),
          ...(note.diff !== undefined && { diff: note.diff }),
          ...(note.diffTruncated && { diffTruncated: true }),
        };
        await sink.append(entry).catch((error: unknown) => {
          logger.error('audit entry not written', { action: entry.action, target: entry.target, error });
          publishMetrics(
            { campaignId: entry.target.campaignId ?? '-', action: entry.action },
            { AuditWriteFailures: 1 },
            { AuditWriteFailures: MetricUnit.Count },
          );
        });
      };
      try {
        const response = await handler(event, context, note);
        await record({ status: response.statusCode ?? 200 });
        return response;
      } catch (error) {
        // The handler's own refusals are recorded as the client will see them (httpHandler answers the same way).
        const refusal = error instanceof HttpError ? error : translate?.(error, event);
        await record(
          refusal instanceof HttpError
            ? { status: refusal.statusCode, code: refusal.code, message: refusal.message.slice(0, 500) }
            : { status: 500, code: 'INTERNAL' },
        );
        throw error;
      }
    },
    translate,
    options,
  );
}
