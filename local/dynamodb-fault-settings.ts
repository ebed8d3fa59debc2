/**
 * The fault settings of the local DynamoDB proxy (`local/dynamodb-faults.ts`), written as
 * `LOCAL_DYNAMODB_FAULTS=conflicts=5-20ms,throttle=0.01,seed=7`. docs/local-cloud.md describes them.
 */

/** Exception a throttled single-item request, Query or Scan fails with (both are 400s the SDK retries). */
export const THROTTLE_ERRORS = ['ProvisionedThroughputExceededException', 'ThrottlingException'] as const;
export type ThrottleError = (typeof THROTTLE_ERRORS)[number];

/** Longest hold a transaction may keep its items: longer would only stall the local cloud. */
export const MAX_HOLD_MS = 60_000;

export interface DynamoDbFaultSettings {
  /** How long an accepted transaction keeps its items after DynamoDB Local answered; absent: no conflicts. */
  conflictHoldMs?: { min: number; max: number };
  /** Probability in [0, 1] that a data-plane request (or one item of a batch) is throttled. */
  throttleProbability: number;
  /**
   * Probability in [0, 1] that a data-plane request is refused with AccessDeniedException, as when a deploy's policy
   * lacks the action: a 400 the SDK does not retry.
   */
  denyProbability: number;
  /** Seed of the fault draws; absent: Math.random. */
  seed?: number;
  throttleError: ThrottleError;
}

export const NO_FAULTS: DynamoDbFaultSettings = Object.freeze({
  throttleProbability: 0,
  denyProbability: 0,
  throttleError: 'ProvisionedThroughputExceededException',
});

export class DynamoDbFaultSettingsError extends Error {
  /** The problem without the setting's name, for callers that name it themselves. */
  readonly detail: string;

  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'DynamoDbFaultSettingsError';
    this.detail = detail;
  }
}

const KEYS = ['conflicts', 'throttle', 'deny', 'seed', 'throttleError'] as const;
type Key = (typeof KEYS)[number];
const isKey = (name: string): name is Key => (KEYS as readonly string[]).includes(name);

/** `10ms`, `1.5s` or a bare number of milliseconds. */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  const value = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

function parseHold(text: string, fail: (detail: string) => never): DynamoDbFaultSettings['conflictHoldMs'] {
  if (text === 'off' || text === '0' || text === '0ms') return undefined;
  // A range shares its unit: `5-20ms`; each end may also carry its own (`500ms-1s`).
  const range = /^([\d.]+)(ms|s)?-([\d.]+)(ms|s)?$/.exec(text);
  let min: number | undefined;
  let max: number | undefined;
  if (range !== null) {
    const unit = range[4] ?? range[2] ?? 'ms';
    min = parseDuration(`${range[1]}${range[2] ?? unit}`);
    max = parseDuration(`${range[3]}${unit}`);
  } else {
    min = parseDuration(text);
    max = min;
  }
  if (min === undefined || max === undefined) {
    fail(`conflicts must be a hold time such as 10ms, 5-20ms or 1s (or off), got "${text}"`);
  }
  if (min > max) fail(`conflicts range "${text}" ends before it starts`);
  if (max > MAX_HOLD_MS) fail(`conflicts hold time "${text}" is over the ${MAX_HOLD_MS} ms limit`);
  if (max === 0) return undefined;
  return { min, max };
}

function parseProbability(text: string, fail: (detail: string) => never, key = 'throttle'): number {
  const percent = text.endsWith('%');
  const value = Number(percent ? text.slice(0, -1) : text);
  if (text === '' || text === '%' || !Number.isFinite(value)) {
    fail(`${key} must be a probability such as 0.01 or 1%, got "${text}"`);
  }
  const probability = percent ? value / 100 : value;
  if (probability < 0 || probability > 1) fail(`${key} must be between 0 and 1 (or 0% and 100%), got "${text}"`);
  return probability;
}

/**
 * Parses `key=value` pairs separated by commas (`""` or `off`: no faults). Keys: `conflicts`
 * (hold time `10ms`, range `5-20ms`, `off`), `throttle` and `deny` (probabilities `0.01` or `1%`), `seed`
 * (integer) and `throttleError` (one of {@link THROTTLE_ERRORS}).
 *
 * @param source names the setting in errors (the environment variable, or the control endpoint).
 * @throws DynamoDbFaultSettingsError naming the setting and the bad key or value.
 */
export function parseDynamoDbFaults(spec: string, source = 'LOCAL_DYNAMODB_FAULTS'): DynamoDbFaultSettings {
  const fail: (detail: string) => never = (detail) => {
    throw new DynamoDbFaultSettingsError(source, detail);
  };
  const text = spec.trim();
  if (text === '' || text === 'off') return { ...NO_FAULTS };
  const values = new Map<Key, string>();
  const unknown: string[] = [];
  for (const part of text.split(',')) {
    const pair = part.trim();
    const equals = pair.indexOf('=');
    if (equals <= 0) fail(`expected key=value, got "${pair}" (known keys: ${KEYS.join(', ')})`);
    const name = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    if (!isKey(name)) {
      unknown.push(name);
      continue;
    }
    if (values.has(name)) fail(`key "${name}" is given twice`);
    values.set(name, value);
  }
  if (unknown.length > 0) {
    fail(
      `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}; known keys: ${KEYS.join(', ')}`,
    );
  }

  const settings: DynamoDbFaultSettings = { ...NO_FAULTS };
  const conflicts = values.get('conflicts');
  if (conflicts !== undefined) {
    const hold = parseHold(conflicts, fail);
    if (hold !== undefined) settings.conflictHoldMs = hold;
  }
  const throttle = values.get('throttle');
  if (throttle !== undefined) settings.throttleProbability = parseProbability(throttle, fail);
  const deny = values.get('deny');
  if (deny !== undefined) settings.denyProbability = parseProbability(deny, fail, 'deny');
  const seed = values.get('seed');
  if (seed !== undefined) {
    if (!/^\d{1,10}$/.test(seed) || Number(seed) > 0xffff_ffff) {
      fail(`seed must be an integer from 0 to ${0xffff_ffff}, got "${seed}"`);
    }
    settings.seed = Number(seed);
  }
  const throttleError = values.get('throttleError');
  if (throttleError !== undefined) {
    const known = THROTTLE_ERRORS.find((name) => name === throttleError);
    if (known === undefined) fail(`throttleError must be one of ${THROTTLE_ERRORS.join(', ')}, got "${throttleError}"`);
    settings.throttleError = known;
  }
  return settings;
}

/** The settings in the syntax {@link parseDynamoDbFaults} reads (`off` when nothing is injected). */
export function formatDynamoDbFaults(settings: DynamoDbFaultSettings): string {
  const parts: string[] = [];
  const hold = settings.conflictHoldMs;
  if (hold !== undefined) parts.push(`conflicts=${hold.min === hold.max ? hold.min : `${hold.min}-${hold.max}`}ms`);
  if (settings.throttleProbability > 0) parts.push(`throttle=${settings.throttleProbability}`);
  if (settings.denyProbability > 0) parts.push(`deny=${settings.denyProbability}`);
  if (parts.length === 0) return 'off';
  if (settings.seed !== undefined) parts.push(`seed=${settings.seed}`);
  if (settings.throttleError !== NO_FAULTS.throttleError) parts.push(`throttleError=${settings.throttleError}`);
  return parts.join(',');
}

/** True when the settings inject anything (the proxy then inspects requests; otherwise it only forwards). */
export const faultsEnabled = (settings: DynamoDbFaultSettings): boolean =>
  settings.conflictHoldMs !== undefined || settings.throttleProbability > 0 || settings.denyProbability > 0;

/**
 * Reads the control endpoint's `PUT /__faults` body: an object with the same keys and values as the
 * string syntax (`{ "conflicts": "10ms", "throttle": 0.01 }`), or `{ "spec": "conflicts=10ms" }`.
 *
 * @throws DynamoDbFaultSettingsError naming the bad key or value.
 */
export function faultSettingsFromJson(body: unknown): DynamoDbFaultSettings {
  const source = 'PUT /__faults';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DynamoDbFaultSettingsError(source, 'expected a JSON object such as {"conflicts":"10ms","throttle":0.01}');
  }
  const entries = Object.entries(body);
  if (entries.length === 1 && entries[0]?.[0] === 'spec') {
    const spec = entries[0][1];
    if (typeof spec !== 'string') throw new DynamoDbFaultSettingsError(source, 'spec must be a string');
    return parseDynamoDbFaults(spec, source);
  }
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === null || value === false) continue; // `"conflicts": null` switches that fault off
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new DynamoDbFaultSettingsError(source, `${name} must be a string or a number`);
    }
    const text = String(value);
    if (/[,=]/.test(text) || /[,=]/.test(name)) {
      throw new DynamoDbFaultSettingsError(source, `${name} must not contain "," or "="`);
    }
    parts.push(`${name}=${text}`);
  }
  return parseDynamoDbFaults(parts.join(','), source);
}
