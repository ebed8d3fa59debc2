/**
 * `npm run flows:check` as an operator runs it: exit codes and what it prints for given files,
 * an older export, a broken flow, and contact-flows/ (no arguments, --strict --engine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');
const real = (name: string) => join(root, 'test/fixtures/contact-flows/real', name);

function flowsCheck(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'tools/flows/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('npm run flows:check', () => {
  it('passes a published flow with hard-coded ARNs, warning and naming the placeholder to use', () => {
    const { status, output } = flowsCheck(real('power-dialer-disposition-codes-view.json'));

    expect(status).toBe(0);
    expect(output).toMatch(
      /warning: action "[^"]+" \(InvokeLambdaFunction\): hard-coded ARN .*\$\{PowerDialerSbSetDispositionCodeFunctionArn\}/,
    );
    expect(output).toMatch(/warning: .*simulator cannot run ShowView/);
    expect(output).toMatch(/power-dialer-disposition-codes-view\.json: ok, \d+ warning\(s\)/);
  });

  it('fails a broken copy, naming the file, the action and what is wrong', () => {
    const flow = JSON.parse(readFileSync(real('rules-engine-dtmf-menu.json'), 'utf8'));
    flow.Actions[0].Type = 'MessageParticpant';
    const file = join(mkdtempSync(join(tmpdir(), 'flows-check-')), 'broken.json');
    writeFileSync(file, JSON.stringify(flow));

    const { status, output } = flowsCheck(file);

    expect(status).toBe(1);
    expect(output).toMatch(/broken\.json: error: action "[^"]+" \(MessageParticpant\): unknown action type/);
  });

  it('fails an older-format export with one message saying how to get the flow language', () => {
    const { status, output } = flowsCheck(join(root, 'test/fixtures/contact-flows/legacy/voicemail-greeting-did.json'));

    expect(status).toBe(1);
    expect(output.match(/error:/g)).toHaveLength(1);
    expect(output).toMatch(/older Amazon Connect export format.*describe-contact-flow/);
  });

  it('turns hard-coded ARNs into errors under --strict, and reports what a flow lacks for the engine with --engine', () => {
    expect(flowsCheck('--strict', real('power-dialer-disposition-codes-view.json')).status).toBe(1);

    const { status, output } = flowsCheck('--engine', real('rules-engine-dtmf-menu.json'));

    expect(status).toBe(1);
    expect(output).toMatch(/error: for the engine: no InvokeLambdaFunction of \$\{NextStepFunctionArn\}/);
  });

  it('checks contact-flows/ with --strict --engine when given no file', () => {
    const { status, output } = flowsCheck();

    expect(status).toBe(0);
    expect(output).toMatch(/contact-flows\/outbound-survey\.json: ok/);
  });
});
