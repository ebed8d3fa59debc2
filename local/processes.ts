/**
 * Child processes of the local cloud. Each runs in its own process group so that stopping it
 * also stops what it started (esbuild, Java); nothing is left running after Ctrl-C or SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

const running = new Set<ManagedProcess>();

/** Starts a process in its own group, logging its output to `logFile` (and optionally echoing it). */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile: string; echo?: (line: string) => void; cwd?: string },
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (options.echo) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() !== '') options.echo(line);
        }
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      log.end();
      resolve(code);
    });
    child.on('error', () => resolve(-1));
  });
  const managed: ManagedProcess = { name, child, exited };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(managed: ManagedProcess, graceMs = 5_000): Promise<void> {
  const { child } = managed;
  if (child.exitCode !== null || child.pid === undefined) return;
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
  // No signal to the group after the leader exited: its id may already belong to another process.
}

/**
 * For a tool that runs to its end (a benchmark, the rehearsal): Ctrl-C or SIGTERM (a `timeout`) stops every process
 * it started before it exits, so no DynamoDB Local JVM or offline server outlives it.
 */
export function stopAllProcessesOnSignal(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      void stopAllProcesses().finally(() => process.exit(code));
    });
  }
}

/** Stops every process this module started, newest first. */
export async function stopAllProcesses(): Promise<void> {
  for (const managed of [...running].reverse()) {
    await stopProcess(managed);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
