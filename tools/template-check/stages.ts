/**
 * The stages `npm run template:check` packages: dev with serverless.yml's defaults, and prod with the
 * parameters a production deployment passes (a real-looking Connect instance, caller number, bucket suffix,
 * alert address), so the check sees the template production gets; and `vpc`, production with a private API
 * (docs/deploy.md, "Private API").
 */
import type { StageOptions } from './package-stage.ts';

/** Example production parameters (documentation values: the account id and instance are not real). */
export const PRODUCTION_PARAMS: Record<string, string> = {
  connectInstanceArn: 'arn:aws:connect:eu-west-1:123456789012:instance/4f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190',
  callerNumber: '+48221234567',
  bucketSuffix: 'example-org',
  alertEmail: 'oncall@example.org',
};

/** A private API's parameters (an example VPC endpoint id). */
export const PRIVATE_API_PARAMS: Record<string, string> = {
  privateApi: 'true',
  apiVpcEndpointId: 'vpce-0a1b2c3d4e5f60718',
};

export const CHECKED_STAGES: StageOptions[] = [
  { stage: 'dev', params: {} },
  { stage: 'prod', params: PRODUCTION_PARAMS },
  { stage: 'vpc', params: { ...PRODUCTION_PARAMS, ...PRIVATE_API_PARAMS } },
];
