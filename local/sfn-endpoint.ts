/**
 * Local Step Functions: the SFN JSON protocol subset the engine uses (StartExecution,
 * DescribeExecution, StopExecution, ListExecutions, DescribeStateMachine), executing the real
 * `statemachines/` definitions with aws-local-stepfunctions.
 *
 * Task states go where they go in AWS: Lambda resources to the serverless-offline functions,
 * `sns:publish` to the local SNS endpoint, `states:startExecution` back to this endpoint.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ExecutionAbortedError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { listen, type RunningServer, sendJson } from './http-server.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  abort: () => void;
}

export interface LocalStateMachine {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The definition with CloudFormation references already rendered. */
  definition: JsonObject;
}

export interface SfnEndpointOptions {
  port: number;
  region: string;
  stateMachines: LocalStateMachine[];
  /** serverless-offline's Lambda endpoint. */
  lambdaEndpoint: string;
  snsEndpoint: string;
  logFile: string;
  /** Shown when an execution fails, so failures are loud locally too. */
  print?: (line: string) => void;
}

class ServiceError extends Error {
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.status = status;
  }
}

/** An error raised by a task, named like the error Step Functions would see (for Retry/Catch). */
class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([\w-]+)(?::[\w$-]+)?$/;
const toEpochSeconds = (date: Date): number => date.getTime() / 1000;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The error name a failed Lambda task fails with (what Retry and Catch match). serverless-offline
 * reports every thrown error as `errorType: "Error"`, where Lambda reports the error's name
 * (`DispatcherError`, `TransientError`): the name is then read from the stack trace's first line.
 */
export function lambdaErrorType(body: unknown): string {
  if (!isObject(body) || typeof body.errorType !== 'string') return 'Lambda.Unknown';
  const firstLine = Array.isArray(body.trace) && typeof body.trace[0] === 'string' ? body.trace[0] : '';
  const named = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*): /.exec(firstLine)?.[1];
  return body.errorType === 'Error' && named !== undefined ? named : body.errorType;
}

export async function startSfnEndpoint(options: SfnEndpointOptions): Promise<RunningServer & { idle(): boolean }> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const lambda = new LambdaClient({ endpoint: options.lambdaEndpoint, region: options.region, credentials });
  const sns = new SNSClient({ endpoint: options.snsEndpoint, region: options.region, credentials });
  const machines = new Map(options.stateMachines.map((machine) => [machine.arn, machine]));
  const executions = new Map<string, Execution>();

  async function invokeFunction(functionName: string, payload: Json): Promise<Json> {
    let result: InvokeCommandOutput;
    try {
      result = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }),
      );
    } catch (error) {
      throw new TaskError('Lambda.ServiceException', `${functionName}: ${(error as Error).message}`);
    }
    const text = result.Payload === undefined ? '' : Buffer.from(result.Payload).toString('utf8');
    const body: Json = text === '' ? null : JSON.parse(text);
    if (result.FunctionError) {
      const errorType = lambdaErrorType(body);
      const errorMessage = isObject(body) && typeof body.errorMessage === 'string' ? body.errorMessage : text;
      throw new TaskError(errorType, errorMessage);
    }
    return body;
  }

  function functionNameOf(resource: unknown): string {
    const match = typeof resource === 'string' ? LAMBDA_ARN.exec(resource) : null;
    if (match?.[1] === undefined) {
      throw new TaskError('States.Runtime', `not a Lambda function ARN: ${JSON.stringify(resource)}`);
    }
    return match[1];
  }

  /** The local handler for one Task state, dispatching on its Resource like Step Functions does. */
  function taskHandler(resource: string): (input: Json) => Promise<Json> {
    if (LAMBDA_ARN.test(resource)) {
      const functionName = functionNameOf(resource);
      return (input) => invokeFunction(functionName, input);
    }
    switch (resource.replace(/\.(sync|waitForTaskToken)(:2)?$/, '')) {
      case 'arn:aws:states:::lambda:invoke':
        return async (input) => {
          if (!isObject(input)) throw new TaskError('States.Runtime', 'lambda:invoke needs Parameters');
          const payload = await invokeFunction(functionNameOf(input.FunctionName), input.Payload ?? null);
          return { StatusCode: 200, Payload: payload };
        };
      case 'arn:aws:states:::sns:publish':
        return async (input) => {
          if (!isObject(input)) throw new TaskError('States.Runtime', 'sns:publish needs Parameters');
          const message = typeof input.Message === 'string' ? input.Message : JSON.stringify(input.Message);
          const published = await sns.send(
            new PublishCommand({
              TopicArn: typeof input.TopicArn === 'string' ? input.TopicArn : undefined,
              Subject: typeof input.Subject === 'string' ? input.Subject : undefined,
              Message: message,
            }),
          );
          return { MessageId: published.MessageId ?? '' };
        };
      case 'arn:aws:states:::states:startExecution':
        return async (input) => {
          if (!isObject(input) || typeof input.StateMachineArn !== 'string') {
            throw new TaskError('States.Runtime', 'states:startExecution needs StateMachineArn');
          }
          const rawInput = input.Input ?? {};
          const started = startExecution({
            stateMachineArn: input.StateMachineArn,
            name: typeof input.Name === 'string' ? input.Name : undefined,
            input: typeof rawInput === 'string' ? rawInput : JSON.stringify(rawInput),
          });
          return { ExecutionArn: started.executionArn, StartDate: started.startDate.toISOString() };
        };
      default:
        throw new ServiceError(
          'InvalidDefinition',
          `the local Step Functions endpoint cannot run resource ${resource}`,
        );
    }
  }

  /** Collects local handlers for every Task state, including those inside Map and Parallel states. */
  function taskHandlers(states: unknown, handlers: Record<string, (input: Json) => Promise<Json>>): void {
    if (!isObject(states)) return;
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Task') {
        if (typeof state.Resource !== 'string') {
          throw new ServiceError('InvalidDefinition', `state ${name}: Resource is not rendered to an ARN`);
        }
        handlers[name] = taskHandler(state.Resource);
      }
      const iterator = state.ItemProcessor ?? state.Iterator;
      if (isObject(iterator)) taskHandlers(iterator.States, handlers);
      if (Array.isArray(state.Branches)) {
        for (const branch of state.Branches) if (isObject(branch)) taskHandlers(branch.States, handlers);
      }
    }
  }

  const compiled = new Map<
    string,
    { machine: StateMachine; handlers: Record<string, (input: Json) => Promise<Json>> }
  >();
  for (const declaration of options.stateMachines) {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    taskHandlers(declaration.definition.States, handlers);
    const machine = new StateMachine(declaration.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    compiled.set(declaration.arn, { machine, handlers });
  }

  function record(execution: Execution): void {
    const { abort: _abort, ...rest } = execution;
    void appendFile(options.logFile, `${JSON.stringify(rest)}\n`).catch(() => undefined);
  }

  function startExecution(request: { stateMachineArn: string; name?: string; input: string }): Execution {
    const declaration = machines.get(request.stateMachineArn);
    const runnable = compiled.get(request.stateMachineArn);
    if (declaration === undefined || runnable === undefined) {
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
    }
    const name = request.name ?? randomUUID();
    if (!/^[\w-]{1,80}$/.test(name)) {
      throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    }
    const executionArn = `${declaration.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = executions.get(executionArn);
    if (existing !== undefined) {
      // As in AWS: the same name and input of a running execution is idempotent, anything else a conflict.
      if (existing.status === 'RUNNING' && existing.input === request.input) return existing;
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    let parsedInput: Json;
    try {
      parsedInput = JSON.parse(request.input);
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const startDate = new Date();
    const run = runnable.machine.run(parsedInput, {
      overrides: { taskResourceLocalHandlers: runnable.handlers },
      context: {
        Execution: { Id: executionArn, Input: parsedInput, Name: name, StartTime: startDate.toISOString() },
        StateMachine: { Id: declaration.arn, Name: declaration.name },
      },
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn: declaration.arn,
      name,
      status: 'RUNNING',
      startDate,
      input: request.input,
      abort: run.abort,
    };
    executions.set(executionArn, execution);
    run.result.then(
      (output) => {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
        execution.stopDate = new Date();
        record(execution);
      },
      (error: unknown) => {
        execution.stopDate = new Date();
        if (error instanceof ExecutionAbortedError) {
          execution.status = 'ABORTED';
        } else {
          const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
          execution.status = error instanceof Error && error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
          execution.error = cause?.name ?? (error instanceof Error ? error.name : 'Error');
          execution.cause = cause?.message ?? (error instanceof Error ? error.message : String(error));
          options.print?.(`execution ${name} ${execution.status}: ${execution.error}: ${execution.cause}`);
        }
        record(execution);
      },
    );
    return execution;
  }

  function requireExecution(executionArn: unknown): Execution {
    const execution = typeof executionArn === 'string' ? executions.get(executionArn) : undefined;
    if (execution === undefined) {
      throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(executionArn)}'`);
    }
    return execution;
  }

  const describe = (execution: Execution) => ({
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: toEpochSeconds(execution.startDate),
    ...(execution.stopDate && { stopDate: toEpochSeconds(execution.stopDate) }),
    input: execution.input,
    ...(execution.output !== undefined && { output: execution.output }),
    ...(execution.error !== undefined && { error: execution.error, cause: execution.cause }),
  });

  const operations: Record<string, (body: JsonObject) => unknown> = {
    StartExecution: (body) => {
      const execution = startExecution({
        stateMachineArn: String(body.stateMachineArn),
        name: typeof body.name === 'string' ? body.name : undefined,
        input: typeof body.input === 'string' ? body.input : '{}',
      });
      return { executionArn: execution.executionArn, startDate: toEpochSeconds(execution.startDate) };
    },
    DescribeExecution: (body) => describe(requireExecution(body.executionArn)),
    StopExecution: (body) => {
      const execution = requireExecution(body.executionArn);
      if (execution.status === 'RUNNING') {
        execution.error = typeof body.error === 'string' ? body.error : undefined;
        execution.cause = typeof body.cause === 'string' ? body.cause : undefined;
        execution.abort();
      }
      return { stopDate: toEpochSeconds(execution.stopDate ?? new Date()) };
    },
    ListExecutions: (body) => {
      const arn = String(body.stateMachineArn);
      if (!machines.has(arn))
        throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      const list = [...executions.values()]
        .filter((execution) => execution.stateMachineArn === arn)
        .filter((execution) => body.statusFilter === undefined || execution.status === body.statusFilter)
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
        .slice(0, typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100)
        .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
          executionArn,
          stateMachineArn,
          name,
          status,
          startDate: toEpochSeconds(startDate),
          ...(stopDate && { stopDate: toEpochSeconds(stopDate) }),
        }));
      return { executions: list };
    },
    DescribeStateMachine: (body) => {
      const machine = machines.get(String(body.stateMachineArn));
      if (machine === undefined) {
        throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${body.stateMachineArn}'`);
      }
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.definition),
        roleArn: `arn:aws:iam::000000000000:role/${machine.name}`,
        type: machine.type,
        creationDate: 0,
      };
    },
  };

  const server = await listen(options.port, async (request, body, response) => {
    if (request.method === 'GET' && request.url === '/health') {
      sendJson(response, 200, { status: 'ok', stateMachines: [...machines.keys()] });
      return;
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = operations[target.replace(/^AWSStepFunctions\./, '')];
    try {
      if (operation === undefined) throw new ServiceError('UnknownOperationException', `unsupported: ${target}`);
      const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      if (!isObject(parsed)) throw new ServiceError('ValidationException', 'request body must be a JSON object');
      sendJson(response, 200, operation(parsed), { 'content-type': 'application/x-amz-json-1.0' });
    } catch (error) {
      const status = error instanceof ServiceError ? error.status : 500;
      const type = error instanceof ServiceError ? error.name : 'InternalFailure';
      sendJson(
        response,
        status,
        { __type: type, message: (error as Error).message },
        {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-errortype': type,
        },
      );
    }
  });
  return {
    ...server,
    idle: () => [...executions.values()].every((execution) => execution.status !== 'RUNNING'),
    close: async () => {
      for (const execution of executions.values()) if (execution.status === 'RUNNING') execution.abort();
      await server.close();
    },
  };
}
