/**
 * `npm start` as a newcomer runs it: it comes up with the Node 22 banner and every component
 * healthy, Ctrl-C leaves nothing running, and a missing Java is explained.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const ports = {
  // Below Linux's ephemeral range (32768-60999), so no outgoing connection can hold one of them.
  LOCAL_HTTP_PORT: '25000',
  LOCAL_LAMBDA_PORT: '25002',
  LOCAL_DYNAMODB_PORT: '25800',
  LOCAL_DYNAMODB_BACKEND_PORT: '25801',
  LOCAL_S3_PORT: '25569',
  LOCAL_SFN_PORT: '25083',
  LOCAL_SNS_PORT: '25084',
  LOCAL_CONNECT_PORT: '25085',
};
const stateDirectory = '.local/test-start-stop';

function start(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['local/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return { child, output: () => output, exited };
}

function portIsClosed(port: string): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(false);
    });
    socket.once('error', () => resolvePort(true));
  });
}

describe('npm start', () => {
  it('starts every component on Node 22, and Ctrl-C stops all of them mid-run, Java included', async () => {
    // Dead letters of an earlier session (the local cloud keeps no state by default) must not raise the DLQ alarm.
    const deadLetters = join(root, stateDirectory, 'connect-dead-letters.jsonl');
    mkdirSync(dirname(deadLetters), { recursive: true });
    writeFileSync(deadLetters, '{"failedAt":"2026-01-01T00:00:00.000Z","reason":"an earlier session"}\n');
    const { child, output, exited } = start({ ...process.env, ...ports, LOCAL_STATE_DIR: stateDirectory });
    const deadline = Date.now() + 150_000;
    while (!output().includes('Press Ctrl-C to stop.')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not start:\n${output()}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }

    expect(output()).toMatch(/Node v22\.\d+\.\d+/);
    expect(output()).toContain('"status":"ok"');
    expect(output()).toContain(`Dashboard        http://localhost:${ports.LOCAL_HTTP_PORT}/`);
    const dashboard = await fetch(`http://localhost:${ports.LOCAL_HTTP_PORT}/`);
    expect(dashboard.headers.get('content-type')).toContain('text/html');
    expect(await dashboard.text()).toContain('<title>Campaign engine</title>');
    // Ctrl-C while the demo run has calls in flight: the calls end before the functions their events reach stop,
    // so no event is dead-lettered on the way out.
    const demoRun = output().match(/curl (\S+\/campaigns\/demo\/runs\/\d{4}-\d{2}-\d{2})/)?.[1];
    expect(demoRun).toBeDefined();
    while (Number(((await (await fetch(String(demoRun))).json()) as { callsInFlight?: number }).callsInFlight) <= 0) {
      if (Date.now() > deadline) throw new Error(`no call in flight:\n${output()}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('nothing left running');
    expect(output()).not.toContain('ALARM');
    expect(existsSync(deadLetters)).toBe(false);
    for (const port of Object.values(ports)) expect(await portIsClosed(port), `port ${port}`).toBe(true);
    const leftovers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`-port ${ports.LOCAL_DYNAMODB_BACKEND_PORT}`) || line.includes(stateDirectory));
    expect(leftovers).toEqual([]);
  }, 180_000);

  it('explains how to install Java when it is missing', async () => {
    const { output, exited } = start({ ...ports, PATH: dirname(process.execPath), LOCAL_STATE_DIR: stateDirectory });

    expect(await exited).toBe(1);
    expect(output()).toContain('DynamoDB Local needs Java 17');
    expect(output()).toContain('apt-get install -y openjdk-17-jre-headless');
  }, 60_000);
});
