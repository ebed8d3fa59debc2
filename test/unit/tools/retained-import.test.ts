import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPlan } from '../../../tools/retained-import.ts';
import { parseTemplate, referencesIn } from '../../../tools/template-check/template.ts';

const packaged = parseTemplate(readFileSync(resolve(import.meta.dirname, '../../fixtures/template/dev.json'), 'utf8'));
const createTemplate = parseTemplate({
  Resources: {
    ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    ServerlessDeploymentBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: { Ref: 'ServerlessDeploymentBucket' }, PolicyDocument: {} },
    },
  },
  Outputs: { ServerlessDeploymentBucketName: { Value: { Ref: 'ServerlessDeploymentBucket' } } },
});

describe('import of the retained table and buckets', () => {
  const plan = importPlan(packaged, createTemplate);

  it('imports the named resources the stack retains: the table and both buckets, by name', () => {
    expect(plan.resourcesToImport).toEqual(
      expect.arrayContaining([
        {
          ResourceType: 'AWS::DynamoDB::Table',
          LogicalResourceId: 'MainTable',
          ResourceIdentifier: { TableName: 'campaign-engine-dev' },
        },
        {
          ResourceType: 'AWS::S3::Bucket',
          LogicalResourceId: 'S3BucketUploads',
          ResourceIdentifier: { BucketName: 'campaign-engine-dev-uploads-local' },
        },
        {
          ResourceType: 'AWS::S3::Bucket',
          LogicalResourceId: 'S3BucketReports',
          ResourceIdentifier: { BucketName: 'campaign-engine-dev-reports-local' },
        },
      ]),
    );
    expect(plan.resourcesToImport).toHaveLength(3);
    expect(Object.keys(plan.importTemplate.Resources).sort()).toEqual([
      'MainTable',
      'S3BucketReports',
      'S3BucketUploads',
    ]);
  });

  it('keeps each resource retained and leaves out what refers to resources not yet there', () => {
    for (const [id, resource] of Object.entries(plan.importTemplate.Resources)) {
      expect(resource.DeletionPolicy, id).toBe('Retain');
      expect(referencesIn(resource.Properties, 'Properties'), id).toEqual([]);
    }
    expect(plan.importTemplate.Resources.S3BucketUploads?.Properties).not.toHaveProperty('CorsConfiguration');
    expect(plan.importTemplate.Resources.S3BucketUploads?.Properties).not.toHaveProperty('NotificationConfiguration');
    expect(plan.importTemplate.Resources.MainTable?.Properties).toMatchObject({ KeySchema: expect.any(Array) });
  });

  it('bootstraps the deployment bucket serverless uploads to beside the imported resources', () => {
    expect(Object.keys(plan.bootstrapTemplate.Resources).sort()).toEqual([
      'MainTable',
      'S3BucketReports',
      'S3BucketUploads',
      'ServerlessDeploymentBucket',
      'ServerlessDeploymentBucketPolicy',
    ]);
  });
});
