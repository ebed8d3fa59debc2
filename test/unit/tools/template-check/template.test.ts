// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not JavaScript templates
import { describe, expect, it } from 'vitest';
import { longestNames } from '../../../../tools/template-check/regions.ts';
import { checkCycles } from '../../../../tools/template-check/rules/cycles.ts';
import { renderName } from '../../../../tools/template-check/rules/names.ts';
import {
  evaluateConditions,
  parseTemplate,
  referencesIn,
  resolveIf,
} from '../../../../tools/template-check/template.ts';

describe('references', () => {
  it('finds Ref, both Fn::GetAtt forms and Fn::Sub variables, not pseudo parameters, Sub locals or ${!text}', () => {
    const found = referencesIn(
      {
        A: { Ref: 'Topic' },
        B: { 'Fn::GetAtt': ['Table', 'Arn'] },
        C: { 'Fn::GetAtt': 'Queue.QueueName' },
        D: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${Machine.Name}/${!Literal}' },
        E: { 'Fn::Sub': ['${local}-${Other}', { local: { Ref: 'Inner' } }] },
        F: { Ref: 'AWS::Region' },
      },
      'Properties',
    );

    expect(found).toEqual([
      { target: 'Topic', via: 'Ref', path: 'Properties.A' },
      { target: 'Table', attribute: 'Arn', via: 'GetAtt', path: 'Properties.B' },
      { target: 'Queue', attribute: 'QueueName', via: 'GetAtt', path: 'Properties.C' },
      { target: 'Bucket', via: 'Sub', path: 'Properties.D' },
      { target: 'Machine', attribute: 'Name', via: 'Sub', path: 'Properties.D' },
      { target: 'Other', via: 'Sub', path: 'Properties.E' },
      { target: 'Inner', via: 'Ref', path: 'Properties.E.local' },
    ]);
  });
});

describe('conditions', () => {
  const template = parseTemplate({
    Conditions: {
      Yes: { 'Fn::Equals': ['true', 'true'] },
      No: { 'Fn::Not': [{ Condition: 'Yes' }] },
      Both: { 'Fn::And': [{ Condition: 'Yes' }, { Condition: 'No' }] },
      Unknown: { 'Fn::Equals': [{ Ref: 'Parameter' }, 'x'] },
    },
    Resources: {},
  });

  it('evaluates conditions over literals and leaves the others out', () => {
    expect(Object.fromEntries(evaluateConditions(template))).toEqual({ Yes: true, No: false, Both: false });
  });

  it('resolves Fn::If by a known condition, AWS::NoValue to nothing', () => {
    const conditions = evaluateConditions(template);
    expect(resolveIf({ 'Fn::If': ['Yes', 5, { Ref: 'AWS::NoValue' }] }, conditions)).toBe(5);
    expect(resolveIf({ 'Fn::If': ['No', 5, { Ref: 'AWS::NoValue' }] }, conditions)).toBeUndefined();
    const unknown = { 'Fn::If': ['Unknown', 5, 6] };
    expect(resolveIf(unknown, conditions)).toBe(unknown);
  });
});

describe('cycles', () => {
  it('names each cycle by the edge that closes it, with its path', () => {
    const template = parseTemplate({
      Resources: {
        A: { Type: 'T', Properties: { X: { Ref: 'B' } } },
        B: { Type: 'T', Properties: { Y: { 'Fn::GetAtt': ['C', 'Arn'] } } },
        C: { Type: 'T', DependsOn: 'A' },
        D: { Type: 'T', Properties: { Z: { Ref: 'A' } } },
      },
    });

    expect(checkCycles(template).findings).toEqual([
      {
        rule: 'cycles',
        resource: 'C',
        message:
          'dependency cycle of 3 resources (in a strongly connected set of 3: A, B, C): A → B → C → A; closed by C → A (DependsOn at DependsOn)',
      },
    ]);
  });

  it('finds no cycle in a chain', () => {
    const template = parseTemplate({
      Resources: { A: { Type: 'T', Properties: { X: { Ref: 'B' } } }, B: { Type: 'T' } },
    });
    expect(checkCycles(template).findings).toEqual([]);
  });
});

describe('names', () => {
  it('renders names built from pseudo parameters in the longest Region the SDK knows', () => {
    const { region } = longestNames();
    expect(region.length).toBeGreaterThanOrEqual('ap-southeast-5'.length);
    const context = { region, partition: 'aws', stackName: 'stack', deployRegion: 'eu-west-1' };

    expect(renderName({ 'Fn::Join': ['-', ['svc', { Ref: 'AWS::Region' }]] }, context)).toBe(`svc-${region}`);
    expect(renderName({ 'Fn::Sub': '${AWS::StackName}-x' }, context)).toBe('stack-x');
    expect(renderName({ 'Fn::Sub': '${Resource}-x' }, context)).toBeUndefined();
  });
});
