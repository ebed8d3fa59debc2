/**
 * The JSONPath subset of Connect's flow language: a parameter value is either static text or a
 * single reference into the flow's data, such as `$.Attributes.name`, `$.External.prompt`,
 * `$.StoredCustomerInput` or `$['Attributes']['first name']`. Connect resolves a reference to the
 * current value when the action runs; a reference to nothing resolves to nothing (the action then
 * fails, or the parameter is left out).
 *
 * Reference: admin guide, "List of available contact attributes and their JSONPath references",
 * https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html
 */

/** The data a flow's references read (a subset of Connect's flow run data). */
export interface FlowData {
  ContactId: string;
  InitialContactId: string;
  Channel: 'VOICE';
  InstanceARN: string;
  CustomerEndpoint: { Address: string; Type: 'TELEPHONE_NUMBER' };
  SystemEndpoint?: { Address: string; Type: 'TELEPHONE_NUMBER' };
  /** User-defined contact attributes. */
  Attributes: Record<string, string>;
  /** The last Lambda function's response (InvokeLambdaFunction). */
  External: Record<string, unknown>;
  /** What the last GetParticipantInput with `StoreInput: "True"` stored (`Timeout` when nothing). */
  StoredCustomerInput?: string;
  /** What the last ConnectParticipantWithLexBot recognised (`$.Lex.IntentName`). */
  Lex?: { IntentName: string; Slots: Record<string, string>; SessionAttributes: Record<string, string> };
}

/** Whether a parameter value is a reference (dynamic) rather than static text. */
export function isJsonPath(value: unknown): value is string {
  return typeof value === 'string' && /^\$(\.|\[)/.test(value.trim());
}

/** Splits `$.A.b` / `$['A']["b"]` / `$.A['b c']` into `['A', 'b']`; undefined when it is not a path. */
export function pathSegments(path: string): string[] | undefined {
  const text = path.trim();
  if (!text.startsWith('$')) return undefined;
  const segments: string[] = [];
  let index = 1;
  while (index < text.length) {
    const rest = text.slice(index);
    const dotted = /^\.([A-Za-z0-9_-]+)/.exec(rest);
    if (dotted !== null) {
      segments.push(dotted[1] ?? '');
      index += dotted[0].length;
      continue;
    }
    const bracketed = /^\[\s*(['"])(.*?)\1\s*\]/.exec(rest);
    if (bracketed !== null) {
      segments.push(bracketed[2] ?? '');
      index += bracketed[0].length;
      continue;
    }
    return undefined;
  }
  return segments.length === 0 ? undefined : segments;
}

/**
 * Resolves a reference against the flow data: strings as they are, numbers and booleans as text,
 * anything else (objects, nothing) as undefined.
 */
export function resolvePath(data: FlowData, path: string): string | undefined {
  const segments = pathSegments(path);
  if (segments === undefined) return undefined;
  let value: unknown = data;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A parameter's value: static text as is, a reference resolved (undefined when it points at nothing). */
export function resolveValue(data: FlowData, value: unknown): string | undefined {
  if (isJsonPath(value)) return resolvePath(data, value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
