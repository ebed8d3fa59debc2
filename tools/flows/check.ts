/**
 * Static checks of a contact flow in Connect's flow language (Version 2019-10-30) before deploy,
 * or before an operator brings an exported flow to the engine:
 * - errors (real mistakes): not a flow (or the older export format), an action type that is not in
 *   Connect's catalogue (a typo), parameters or transitions the reference rules out, a missing
 *   required error branch, a transition to a missing action, an action no path reaches, a
 *   `${Placeholder}` without a value at deploy time;
 * - warnings: a hard-coded account id or ARN (an error under `strict`, which `npm test` uses for
 *   contact-flows/), an action the local simulator cannot run.
 * The catalogue (`catalogue.ts`) says what each action type accepts, with its reference page.
 */
import { SIMULATED_ACTION_TYPES } from '../../local/connect-simulator/flow-executor.ts';
import { type Flow, type FlowAction, FlowSchema, isTrue, transitionTargets } from './actions.ts';
import { type ActionSpec, CATALOGUE, CATALOGUE_TYPES, pageOf } from './catalogue.ts';

export type Severity = 'error' | 'warning';

/** One finding, naming the action it concerns (when it concerns one). */
export interface Problem {
  severity: Severity;
  /** `action "<Identifier>" (<Type>)`, `Metadata`, `StartAction`, or undefined for the file. */
  where?: string;
  message: string;
}

export interface CheckOptions {
  /** Placeholders the deployment substitutes (`config/contact-flow-content.cjs`). */
  placeholders: ReadonlySet<string>;
  /** Hard-coded account ids and ARNs are errors (contact-flows/), not warnings (exported files). */
  strict?: boolean;
}

/** The text of a problem as the CLI prints it. */
export function formatProblem(problem: Problem): string {
  return `${problem.severity}: ${problem.where === undefined ? '' : `${problem.where}: `}${problem.message}`;
}

/** How to get a flow in the flow language out of Connect. */
export const EXPORT_HINT =
  'get the flow-language form from the DescribeContactFlow API, e.g. `aws connect describe-contact-flow --instance-id <id> --contact-flow-id <id> --query ContactFlow.Content --output text > flow.json` (DescribeContactFlowModule for a module), or re-save the flow in the current flow designer and export it again';

/** Checks a parsed flow file; returns every problem found. */
export function checkFlow(input: unknown, options: CheckOptions): Problem[] {
  const legacy = legacyFormat(input);
  if (legacy !== undefined) return [{ severity: 'error', message: `${legacy}; ${EXPORT_HINT}` }];
  const parsed = FlowSchema.safeParse(input);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      severity: 'error',
      where: issue.path.join('.') || '(root)',
      message: issue.message,
    }));
  }
  const flow = parsed.data;
  const problems: Problem[] = [];
  const identifiers = new Map<string, FlowAction>();
  for (const action of flow.Actions) {
    const where = nameOf(action);
    if (identifiers.has(action.Identifier))
      problems.push({ severity: 'error', where, message: 'duplicate Identifier' });
    identifiers.set(action.Identifier, action);
    const spec = CATALOGUE[action.Type];
    if (spec === undefined) {
      const guess = closest(action.Type, CATALOGUE_TYPES);
      problems.push({
        severity: 'error',
        where,
        message: `unknown action type ${action.Type}: not in Connect's flow-language catalogue${guess === undefined ? '' : ` (did you mean ${guess}?)`}`,
      });
      continue;
    }
    problems.push(...checkAction(action, spec).map((message) => ({ severity: 'error' as const, where, message })));
    if (!SIMULATED_ACTION_TYPES.has(action.Type)) {
      problems.push({
        severity: 'warning',
        where,
        message: `the local simulator cannot run ${action.Type}: a simulated call that reaches it fails (local/connect-simulator/README.md)`,
      });
    }
  }
  if (!identifiers.has(flow.StartAction)) {
    problems.push({ severity: 'error', where: 'StartAction', message: `no action "${flow.StartAction}"` });
  }
  problems.push(...checkGraph(flow, identifiers));
  problems.push(...checkPlaceholders(flow, options.placeholders));
  problems.push(...hardCodedIds(flow, options.strict === true));
  return problems;
}

/** The older export format's description, or undefined when the input is not in it. */
export function legacyFormat(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const record = input as Record<string, unknown>;
  if (!Array.isArray(record.modules) || 'Actions' in record) return undefined;
  return 'this is a flow in the older Amazon Connect export format (`modules`, `branches`, `parameters`, written by the flow designer before the flow language), not the flow language (`Version: "2019-10-30"`, `StartAction`, `Actions`) the engine deploys and checks';
}

/** Problems of one action's parameters and transitions against its catalogue entry. */
export function checkAction(action: FlowAction, spec: ActionSpec): string[] {
  const problems: string[] = [];
  const page = ` (${pageOf(spec)})`;
  const parsed = spec.parameters.safeParse(action.Parameters);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`Parameters${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}${page}`);
    }
  }
  const { Conditions = [], Errors = [], NextAction } = action.Transitions;
  if (spec.terminal) {
    if (NextAction !== undefined || Conditions.length > 0 || Errors.length > 0) {
      problems.push(`ends the flow and takes no transitions${page}`);
    }
    return problems;
  }
  const storesInput = action.Type === 'GetParticipantInput' && isTrue(action.Parameters.StoreInput);
  const conditions = spec.conditions;
  if (Conditions.length > 0 && (conditions === 'none' || storesInput)) {
    problems.push(`takes no conditions${storesInput ? ' when StoreInput is "True"' : ''}${page}`);
  } else if (typeof conditions === 'object') {
    for (const { Condition } of Conditions) {
      if (!conditions.operators.includes(Condition.Operator)) {
        problems.push(`operator ${Condition.Operator} is not supported (${conditions.operators.join(', ')})${page}`);
      }
      for (const operand of Condition.Operands) {
        if (conditions.operands !== undefined && !conditions.operands.includes(operand)) {
          problems.push(`operand "${operand}" is not one of ${conditions.operands.join(', ')}${page}`);
        }
        // Keypad menus compare one key; with a Lex bot on the block the operands are intents.
        if (
          action.Type === 'GetParticipantInput' &&
          !('LexV2Bot' in action.Parameters || 'LexBot' in action.Parameters)
        ) {
          if (!/^[0-9*#]$/.test(operand)) problems.push(`operand "${operand}" must be a single key 0-9, * or #${page}`);
        }
      }
    }
    for (const operand of conditions.required ?? []) {
      if (!Conditions.some((transition) => transition.Condition.Operands.includes(operand))) {
        problems.push(`needs a condition for ${operand}${page}`);
      }
    }
  }
  const allowed = storesInput ? ['NoMatchingError', 'InvalidPhoneNumber'] : spec.errors;
  for (const { ErrorType } of Errors) {
    if (allowed !== 'any' && !allowed.includes(ErrorType)) {
      problems.push(`error type ${ErrorType} cannot occur here (${allowed.join(', ') || 'none'})${page}`);
    }
  }
  for (const required of spec.requiredErrors) {
    if (!Errors.some((error) => error.ErrorType === required)) {
      problems.push(`must handle the ${required} error: without that branch the call has nowhere to go${page}`);
    }
  }
  return problems;
}

function checkGraph(flow: Flow, identifiers: ReadonlyMap<string, FlowAction>): Problem[] {
  const problems: Problem[] = [];
  for (const action of flow.Actions) {
    const targets = transitionTargets(action);
    for (const target of targets) {
      if (!identifiers.has(target)) {
        problems.push({
          severity: 'error',
          where: nameOf(action),
          message: `transition to missing action "${target}"`,
        });
      }
    }
    const spec = CATALOGUE[action.Type];
    if (spec !== undefined && !spec.terminal && targets.length === 0) {
      problems.push({
        severity: 'error',
        where: nameOf(action),
        message: 'no transition out (only actions that end the flow, such as DisconnectParticipant, may)',
      });
    }
  }
  const reachable = new Set<string>();
  const queue = [flow.StartAction];
  while (queue.length > 0) {
    const identifier = queue.pop();
    if (identifier === undefined || reachable.has(identifier)) continue;
    reachable.add(identifier);
    const action = identifiers.get(identifier);
    if (action !== undefined) queue.push(...transitionTargets(action));
  }
  for (const action of identifiers.values()) {
    if (!reachable.has(action.Identifier)) {
      problems.push({ severity: 'error', where: nameOf(action), message: 'unreachable from StartAction' });
    }
  }
  return problems;
}

function checkPlaceholders(flow: Flow, placeholders: ReadonlySet<string>): Problem[] {
  // The whole file goes through Fn::Sub at deploy time, Metadata included.
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const match of JSON.stringify(flow).matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    // Fn::Sub resolves pseudo parameters (${AWS::AccountId}, ${AWS::Region}, …) itself.
    if (placeholders.has(name) || name.startsWith('AWS::') || seen.has(name)) continue;
    seen.add(name);
    problems.push({
      severity: 'error',
      message: `placeholder \${${name}} has no value at deploy time (known: ${[...placeholders].join(', ') || 'none'}; config/contact-flow-content.cjs)`,
    });
  }
  return problems;
}

/**
 * An ARN with an account id, or a bare 12-digit number standing alone. A whole token only: the
 * digits may not touch a letter, digit, `-` or `_`, nor be the decimals of a number, so the last
 * group of a UUID (`…-4a3b-123456789012`), longer numbers and the designer's float positions
 * (`"x": 10206.400000000001`) are never taken for account ids.
 */
const ARN = /(?<![\w-])arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:(\d{12}):([^\s"',]+)/g;
const ACCOUNT_ID = /(?<![\w.-])\d{12}(?![\w-]|\.\d)/g;

function hardCodedIds(flow: Flow, strict: boolean): Problem[] {
  const severity: Severity = strict ? 'error' : 'warning';
  const problems: Problem[] = [];
  const scan = (where: string, value: unknown) => {
    const text = JSON.stringify(value);
    const arns = [...text.matchAll(ARN)];
    for (const [arn = '', service = '', , resource = ''] of arns) {
      problems.push({
        severity,
        where,
        message: `hard-coded ARN ${arn} (an account id): use a placeholder substituted at deploy time instead, e.g. ${placeholderFor(service, resource)}, and give it a value in config/contact-flow-content.cjs`,
      });
    }
    const withoutArns = arns.reduce((rest, [arn = '']) => rest.replaceAll(arn, ''), text);
    for (const [id] of withoutArns.matchAll(ACCOUNT_ID)) {
      problems.push({
        severity,
        where,
        message: `hard-coded account id ${id}: use a placeholder substituted at deploy time instead, e.g. ${placeholder('AWS::AccountId')}`,
      });
    }
  };
  for (const action of flow.Actions) scan(nameOf(action), action.Parameters);
  if (flow.Metadata !== undefined) scan('Metadata', flow.Metadata);
  return problems;
}

/** `${name}`: a placeholder as written in a flow file. */
const placeholder = (name: string) => `\${${name}}`;

/** The placeholder an operator should write instead of a hard-coded ARN. */
function placeholderFor(service: string, resource: string): string {
  if (service === 'lambda') {
    // CloudFormation appends a random suffix to generated names (`…-OlUhjKcktIGr`): leave it out.
    const name = (resource.replace(/^function:/, '').split(':')[0] ?? '').replace(/-[A-Za-z0-9]{12,13}$/, '');
    if (/next-?step/i.test(name)) return placeholder('NextStepFunctionArn');
    if (/record-?answer/i.test(name)) return placeholder('RecordAnswerFunctionArn');
    const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
    const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
    return placeholder(`${pascal || 'My'}FunctionArn`);
  }
  if (service === 'lex') return placeholder('LexBotAliasArn');
  if (resource.includes('/queue/')) return placeholder('QueueArn');
  if (resource.includes('/contact-flow/') || resource.includes('/flow-module/')) return placeholder('ContactFlowArn');
  if (resource.includes('/prompt/')) return placeholder('PromptArn');
  if (service === 'connect') return placeholder('ConnectInstanceArn');
  return placeholder(`${service.charAt(0).toUpperCase()}${service.slice(1)}Arn`);
}

function nameOf(action: FlowAction): string {
  return `action "${action.Identifier}" (${action.Type})`;
}

/** The candidate nearest to `word` (edit distance at most 3, ignoring case), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
