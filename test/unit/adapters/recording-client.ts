/** A stand-in for an AWS SDK client that records each command and answers from a script: no network. */
export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

export class RecordingClient {
  readonly sent: SentCommand[] = [];
  private readonly answer: (command: SentCommand) => unknown;

  constructor(answer: (command: SentCommand) => unknown = () => ({})) {
    this.answer = answer;
  }

  async send(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    const sent = { name: command.constructor.name, input: command.input as Record<string, unknown> };
    this.sent.push(sent);
    const answer = this.answer(sent);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  named(name: string): SentCommand[] {
    return this.sent.filter((command) => command.name === name);
  }
}
