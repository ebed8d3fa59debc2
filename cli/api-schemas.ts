/**
 * What the CLI reads of the API's answers (README "API"; functions/handlers/http/*.ts). Objects are loose: fields the CLI
 * does not use pass through untouched to `--json` output.
 */
import { z } from 'zod';

const count = z.number().int();

export const ApiErrorBodySchema = z.union([
  z.object({
    error: z.object({
      code: z.string().optional(),
      message: z.string(),
      problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  }),
  // API Gateway's own answers (`{"message":"Forbidden"}`).
  z.object({ message: z.string() }),
]);

export const RowErrorSchema = z.looseObject({
  line: count,
  column: z.string().nullish(),
  value: z.string().nullish(),
  code: z.string(),
  reason: z.string(),
});

export const ListViewSchema = z.looseObject({
  listId: z.string(),
  campaignId: z.string(),
  date: z.string(),
  status: z.enum(['AWAITING_UPLOAD', 'RECEIVED', 'IMPORTING', 'DONE', 'FAILED']),
  rows: count.optional(),
  accepted: count.optional(),
  rejected: count.optional(),
  duplicates: count.optional(),
  suppressed: count.optional(),
  duplicatesInFile: count.optional(),
  alreadyInRun: count.optional(),
  errors: z.array(RowErrorSchema).optional(),
  errorsTruncated: z.boolean().optional(),
  dueAfterRunEnds: count.optional(),
  firstDueAt: z.string().optional(),
  progress: z
    .looseObject({ rows: count, accepted: count, rejected: count, duplicates: count, suppressed: count })
    .optional(),
  error: z.looseObject({ code: z.string(), message: z.string(), line: count.optional() }).optional(),
  links: z.looseObject({ self: z.string(), rejectedCsv: z.string().optional() }),
});
export type ListView = z.infer<typeof ListViewSchema>;

export const ListsOfRunSchema = z.looseObject({
  campaignId: z.string(),
  date: z.string(),
  lists: z.array(ListViewSchema),
});

export const UploadUrlSchema = z.looseObject({
  listId: z.string(),
  uploadUrl: z.string(),
  expiresAt: z.string(),
  /** Headers signed into the URL (exact `content-length`, `if-none-match: *`): the PUT must send them. */
  headers: z.record(z.string(), z.string()).default({}),
});

export const RunStartedSchema = z.looseObject({
  campaignId: z.string(),
  date: z.string(),
  generation: z.number().optional(),
  executionArn: z.string().optional(),
});

export const RunControlledSchema = z.looseObject({ campaignId: z.string(), date: z.string(), status: z.string() });

export const RunStatusSchema = z.looseObject({
  campaignId: z.string(),
  date: z.string(),
  status: z.string(),
  campaignVersion: z.number().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  lastTickAt: z.string().optional(),
  contacts: z.record(z.string(), z.number()),
  outcomes: z.record(z.string(), z.number()),
  callsInFlight: z.number(),
  engineCallsInFlight: z.number(),
  dialRate: z.number().optional(),
  throttles: z.number().optional(),
  dialErrors: z.number().optional(),
  caps: z.looseObject({ maxConcurrentCalls: z.number(), dialsPerSecond: z.number(), dialBurst: z.number() }),
  nextDueAt: z.string().optional(),
  /** The finish estimated within the last minute, while the run is running. */
  estimate: z
    .looseObject({
      finishAt: z.string(),
      remaining: z.number(),
      windowClosesAt: z.string(),
      waitingAtWindowClose: z.number(),
      late: z.boolean(),
      raise: z.looseObject({ lines: z.number().optional(), dialsPerSecond: z.number().optional() }).optional(),
      computedAt: z.string(),
    })
    .optional(),
});
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunReportSchema = z.looseObject({
  campaignId: z.string(),
  date: z.string(),
  status: z.string(),
  contacts: z.looseObject({
    total: z.number(),
    finished: z.number(),
    waiting: z.number(),
    byStatus: z.record(z.string(), z.number()),
  }),
  outcomes: z.record(z.string(), z.number()),
  attempts: z.looseObject({ started: z.number(), ended: z.number(), meanPerFinishedContact: z.number() }),
  reachRate: z.number(),
  completionRate: z.number(),
  meanCallSeconds: z.number(),
  questions: z.array(
    z.looseObject({
      id: z.string(),
      prompt: z.string(),
      answered: z.number(),
      answers: z.array(z.looseObject({ key: z.string(), label: z.string(), count: z.number(), share: z.number() })),
    }),
  ),
  optOuts: z.number(),
  followUps: z.looseObject({ sent: z.number(), failed: z.number() }),
  /** What the run cost (docs/cost-model.md): absent from engines older than the run cost. */
  cost: z
    .looseObject({
      rates: z.string(),
      engine: z.looseObject({
        total: z.number(),
        byService: z.array(z.looseObject({ service: z.string(), usd: z.number() })),
        lambdaFunctions: z.array(
          z.looseObject({ name: z.string(), invocations: z.number(), billedMs: z.number(), usd: z.number() }),
        ),
      }),
      telephony: z.looseObject({
        total: z.number(),
        lines: z.array(z.looseObject({ service: z.string(), quantity: z.number(), unit: z.string(), usd: z.number() })),
      }),
    })
    .optional(),
});
export type RunReport = z.infer<typeof RunReportSchema>;

/**
 * An export as the API tells it: DONE with its download link, or (a large run, answered 202) RUNNING with the rows
 * written so far and where to ask again, or FAILED with the reason.
 */
export const ExportJobSchema = z.discriminatedUnion('status', [
  z.looseObject({
    exportId: z.string(),
    status: z.literal('DONE'),
    rows: z.number(),
    url: z.string(),
    bytes: z.number(),
  }),
  z.looseObject({
    exportId: z.string(),
    status: z.literal('RUNNING'),
    rows: z.number(),
    statusUrl: z.string().optional(),
  }),
  z.looseObject({ exportId: z.string(), status: z.literal('FAILED'), rows: z.number(), error: z.string().optional() }),
]);
export type ExportJob = z.infer<typeof ExportJobSchema>;

export const CampaignListSchema = z.looseObject({
  campaigns: z.array(
    z.looseObject({ id: z.string(), name: z.string(), version: z.number(), updatedAt: z.string().optional() }),
  ),
});

export const StoredCampaignSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  updatedAt: z.string().optional(),
});

export const DoNotCallResultSchema = z.looseObject({
  rows: count,
  added: count,
  alreadyListed: count,
  duplicates: count,
  rejected: count,
  errors: z.array(RowErrorSchema),
  errorsTruncated: z.boolean().optional(),
});
export type DoNotCallResult = z.infer<typeof DoNotCallResultSchema>;

/** A named analysis (GET /analytics/{analysis}): a table of cells, small cells null. */
export const AnalysisResultSchema = z.looseObject({
  analysis: z.string(),
  parameters: z.looseObject({ campaigns: z.array(z.string()), from: z.string(), to: z.string() }),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
  minCell: z.number(),
  suppressed: count,
  freshAsOf: z.string(),
  bytesScanned: z.number().optional(),
});
export type AnalysisResult = z.infer<typeof AnalysisResultSchema>;

/** The runs handed to the backfill worker (POST /analytics/backfill), and those skipped with why. */
export const BackfillResultSchema = z.looseObject({
  queued: z.array(z.looseObject({ campaignId: z.string(), date: z.string() })),
  skipped: z.array(z.looseObject({ campaignId: z.string(), date: z.string(), reason: z.string() })),
});
export type BackfillResult = z.infer<typeof BackfillResultSchema>;

/** GET /people/{phone}: everything the engine holds about a number (loose: printed as it comes). */
export const PersonViewSchema = z.looseObject({
  phone: z.string(),
  runs: z.array(z.looseObject({ campaignId: z.string(), date: z.string() })),
  contacts: z.array(
    z.looseObject({ campaignId: z.string().optional(), date: z.string().optional(), status: z.string().optional() }),
  ),
  answers: z.array(z.looseObject({})),
  followUps: z.array(z.looseObject({})),
  calls: z.array(z.looseObject({})),
  contactLedger: z.array(z.looseObject({ at: z.string() })),
  doNotCall: z.looseObject({ listed: z.boolean(), source: z.string().optional() }),
  lists: z.array(z.looseObject({ campaignId: z.string(), date: z.string(), listId: z.unknown() })),
  exports: z.array(z.looseObject({ key: z.string() })),
});
export type PersonView = z.infer<typeof PersonViewSchema>;

/** DELETE /people/{phone}: the erasure record. */
export const ErasureRecordSchema = z.looseObject({
  erasureId: z.string(),
  at: z.string(),
  runs: count,
  removed: z.record(z.string(), z.number()),
});
export type ErasureRecord = z.infer<typeof ErasureRecordSchema>;

/** GET /audit: operator actions, newest first. */
export const AuditListSchema = z.looseObject({
  from: z.string(),
  to: z.string(),
  truncated: z.boolean(),
  entries: z.array(
    z.looseObject({
      at: z.string(),
      action: z.string(),
      actor: z.looseObject({ kind: z.string(), id: z.string() }),
      target: z.record(z.string(), z.string()),
      result: z.looseObject({ status: z.number(), code: z.string().optional(), message: z.string().optional() }),
      details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      diff: z
        .array(z.looseObject({ path: z.string(), before: z.string().optional(), after: z.string().optional() }))
        .optional(),
    }),
  ),
});
export type AuditList = z.infer<typeof AuditListSchema>;
const SourcedNumberSchema = z.looseObject({ value: z.number(), source: z.string() });

/** A plan (POST /campaigns/{id}/plan; functions/use-cases/planning/plan-run.ts). */
export const PlanSchema = z.looseObject({
  campaignId: z.string(),
  date: z.string(),
  startAt: z.string(),
  window: z.looseObject({ opensAt: z.string(), closesAt: z.string(), timeZone: z.string() }),
  inputs: z.looseObject({
    contacts: SourcedNumberSchema,
    caps: z.looseObject({
      lines: SourcedNumberSchema,
      dialsPerSecond: SourcedNumberSchema,
      dialBurst: SourcedNumberSchema,
      tickSeconds: SourcedNumberSchema,
      flowFunctionConcurrency: SourcedNumberSchema,
      linesFlowLambdasServe: z.number(),
    }),
    mix: z.looseObject({
      source: z.string(),
      shares: z.record(z.string(), z.number()),
      meanLineSeconds: z.number(),
    }),
    tickGapMs: SourcedNumberSchema,
    settleMs: SourcedNumberSchema,
  }),
  prediction: z.looseObject({
    attempts: count,
    answered: count,
    talkMinutes: z.number(),
    lineMinutes: z.number(),
    finishAt: z.string(),
    finishesInWindow: z.boolean(),
    waitingAtWindowClose: count,
    waitingShare: z.number(),
    peakLines: count,
    binding: z.string(),
    physicalBoundAt: z.string(),
    ticks: count,
    executions: count,
  }),
  needed: z
    .looseObject({ lines: count, dialsPerSecond: z.number(), flowFunctionConcurrency: count, finishAt: z.string() })
    .optional(),
  /** Added by `campaign plan` from the measured usage profile and the rate table (functions/core/planning/cost.ts). */
  cost: z
    .looseObject({
      engine: z.looseObject({ total: z.number(), perThousandContacts: z.number(), source: z.string() }),
      telephony: z.looseObject({ total: z.number(), source: z.string() }),
    })
    .optional(),
  warnings: z.array(z.string()),
  simulation: z.looseObject({ scale: z.number(), simulatedContacts: count, runs: count }),
});
export type Plan = z.infer<typeof PlanSchema>;
