/**
 * The audit log's entries: every operator action (upload, campaign change with its diff, run start/pause/resume/stop,
 * do-not-call change, export, a person's data shown or erased, an analytics backfill), who did it, when, on what, and how it ended. Pure:
 * the shape, its bounds and the definition diff. Entries never hold a phone number nor its hash: a person is named by
 * an erasure's id, and access requests by what was shown, so that an entry outlives the person's erasure without
 * pointing at them.
 */
import { z } from 'zod';

export const AUDIT_ACTIONS = [
  'CAMPAIGN_PUT',
  'LIST_UPLOAD',
  'LIST_UPLOAD_URL',
  'RUN_START',
  'RUN_PAUSE',
  'RUN_RESUME',
  'RUN_STOP',
  'DNC_ADD',
  'EXPORT',
  'PERSON_SHOW',
  'PERSON_FORGET',
  'ANALYTICS_BACKFILL',
] as const;
export const AuditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** Who acted: an IAM principal (AWS: the HTTP API's SigV4 caller), or the local user (the local stack). */
export const AuditActorSchema = z.object({
  kind: z.enum(['iam', 'local']),
  /** The IAM principal's ARN (`arn:aws:sts::…:assumed-role/…/alice`), or `user@host` locally. */
  id: z.string().max(300),
  account: z.string().max(20).optional(),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

/** Strict: a field not listed here (a phone number, say) makes the entry invalid instead of being stored. */
export const AuditTargetSchema = z.strictObject({
  campaignId: z.string().max(64).optional(),
  date: z.string().max(10).optional(),
  listId: z.string().max(64).optional(),
  exportId: z.string().max(64).optional(),
  /** An erasure's record (the audit log never names the person: the entry would outlive their erasure). */
  erasureId: z.string().max(64).optional(),
});
export type AuditTarget = z.infer<typeof AuditTargetSchema>;

const DiffValueSchema = z.string().max(300);
export const DiffEntrySchema = z.object({
  path: z.string().max(200),
  before: DiffValueSchema.optional(),
  after: DiffValueSchema.optional(),
});
export type DiffEntry = z.infer<typeof DiffEntrySchema>;

/** Most changed paths a diff lists; `diffTruncated` says when there were more. */
export const MAX_DIFF_ENTRIES = 100;

export const AuditEntrySchema = z.object({
  id: z.string().max(64),
  at: z.string().max(40),
  actor: AuditActorSchema,
  action: AuditActionSchema,
  target: AuditTargetSchema,
  result: z.object({
    status: z.number().int(),
    code: z.string().max(64).optional(),
    message: z.string().max(500).optional(),
  }),
  /** What the action did, in numbers and ids (row counts, versions, what an erasure removed). */
  details: z.record(z.string(), z.union([z.string().max(300), z.number(), z.boolean()])).optional(),
  diff: z.array(DiffEntrySchema).max(MAX_DIFF_ENTRIES).optional(),
  diffTruncated: z.boolean().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** A value as a diff shows it: JSON, cut to 300 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length <= 300 ? text : `${text.slice(0, 299)}…`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What changed between two definitions, path by path (`script.questions.0.prompt`): leaves that differ, keys added
 * or removed. Arrays of different lengths are compared element by element, the extra ones added or removed.
 */
export function definitionDiff(before: unknown, after: unknown): { diff: DiffEntry[]; truncated: boolean } {
  const diff: DiffEntry[] = [];
  let truncated = false;
  const push = (entry: DiffEntry) => {
    if (diff.length < MAX_DIFF_ENTRIES) diff.push(entry);
    else truncated = true;
  };
  const walk = (path: string, left: unknown, right: unknown): void => {
    if (JSON.stringify(left) === JSON.stringify(right)) return;
    if (isObject(left) && isObject(right)) {
      for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
        walk(path === '' ? key : `${path}.${key}`, left[key], right[key]);
      }
      return;
    }
    if (Array.isArray(left) && Array.isArray(right)) {
      for (let index = 0; index < Math.max(left.length, right.length); index++) {
        walk(`${path}.${index}`, left[index], right[index]);
      }
      return;
    }
    push({
      path: (path || '(root)').slice(0, 200),
      ...(left !== undefined && { before: shown(left) }),
      ...(right !== undefined && { after: shown(right) }),
    });
  };
  walk('', before, after);
  return { diff, truncated };
}
