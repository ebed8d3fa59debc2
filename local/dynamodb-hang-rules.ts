/**
 * The fault proxy's crash switch: rules that make the next matching request(s) never get an answer,
 * as if the process that sent them died waiting (`forward: false`: the write never happened) or
 * died right after DynamoDB did the write (`forward: true`). Tests add them with
 * `POST /__faults/hang` and clear them, and the connections they hold, with `DELETE /__faults/hang`.
 */
import { z } from 'zod';

export const HangRuleInputSchema = z.strictObject({
  /** Operation name as in `X-Amz-Target` (`PutItem`); absent: any. */
  operation: z
    .string()
    .regex(/^[A-Za-z]{1,64}$/, 'an operation name such as PutItem')
    .optional(),
  /** Only requests naming this table. */
  table: z.string().min(1).max(255).optional(),
  /** Only requests naming an item with a key value (partition or sort key) that starts with this. */
  keyPrefix: z.string().min(1).max(1024).optional(),
  /** How many matching requests to hold before the rule is used up. */
  times: z.number().int().min(1).max(10_000).default(1),
  /** Forward the request to DynamoDB Local first, then hold its answer. */
  forward: z.boolean().default(false),
});
export type HangRuleInput = z.input<typeof HangRuleInputSchema>;

export interface HangRule extends z.infer<typeof HangRuleInputSchema> {
  id: number;
  /** Matching requests still to hold. */
  remaining: number;
}

/** What a request names, for matching: its tables and the key values of its items. */
export interface RequestTargets {
  items: ReadonlyArray<{ table: string; keys: readonly string[] }>;
}

export class HangRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HangRuleError';
  }
}

export class HangRules {
  #rules: HangRule[] = [];
  #nextId = 1;

  /** @throws HangRuleError naming the bad field. */
  add(input: unknown): HangRule {
    const parsed = HangRuleInputSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      throw new HangRuleError(`invalid hang rule: ${problems.join('; ')}`);
    }
    const rule: HangRule = { ...parsed.data, id: this.#nextId, remaining: parsed.data.times };
    this.#nextId += 1;
    this.#rules.push(rule);
    return rule;
  }

  /** True while some rule can still match: only then does the proxy look at requests for it. */
  get active(): boolean {
    return this.#rules.length > 0;
  }

  /** Whether a rule for this operation needs the request's tables and keys to decide. */
  needsTargets(operation: string | undefined): boolean {
    return this.#rules.some(
      (rule) =>
        (rule.operation === undefined || rule.operation === operation) &&
        (rule.table !== undefined || rule.keyPrefix !== undefined),
    );
  }

  /** The first rule the request matches, with one use taken off it (a used-up rule is dropped). */
  take(operation: string | undefined, targets: RequestTargets): HangRule | undefined {
    const rule = this.#rules.find((candidate) => matches(candidate, operation, targets));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((candidate) => candidate !== rule);
    return { ...rule };
  }

  list(): HangRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  clear(): void {
    this.#rules = [];
  }
}

function matches(rule: HangRule, operation: string | undefined, targets: RequestTargets): boolean {
  if (rule.operation !== undefined && rule.operation !== operation) return false;
  if (rule.table === undefined && rule.keyPrefix === undefined) return true;
  return targets.items.some(
    (item) =>
      (rule.table === undefined || item.table === rule.table) &&
      (rule.keyPrefix === undefined || item.keys.some((key) => key.startsWith(rule.keyPrefix ?? ''))),
  );
}
