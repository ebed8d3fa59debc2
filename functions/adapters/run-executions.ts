/**
 * Run executions in Step Functions: the run state machine's executions, named per campaign, date and generation
 * (`executionName`), so the name alone makes a second start of the same run fail instead of dialling twice.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunExecutionInput, RunExecutions } from '../use-cases/dialing/ports.ts';
import { sfnClient } from './aws-clients.ts';

/** The ARN of the named execution of a state machine. */
const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

export class StepFunctionsRunExecutions implements RunExecutions {
  private readonly stateMachineArn: string;
  private readonly client: Pick<typeof sfnClient, 'send'>;

  constructor(stateMachineArn: string, client: Pick<typeof sfnClient, 'send'> = sfnClient) {
    this.stateMachineArn = stateMachineArn;
    this.client = client;
  }

  async status(name: string): Promise<string> {
    try {
      const described = await this.client.send(
        new DescribeExecutionCommand({ executionArn: executionArn(this.stateMachineArn, name) }),
      );
      return described.status ?? 'MISSING';
    } catch (error) {
      if ((error as Error).name === 'ExecutionDoesNotExist') return 'MISSING';
      throw error;
    }
  }

  async start(name: string, input: RunExecutionInput): Promise<{ executionArn: string } | undefined> {
    try {
      const started = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { executionArn: started.executionArn ?? '' };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return undefined;
      throw error;
    }
  }
}
