/**
 * Serverless plugin: tidies the packaged CloudFormation template after serverless-iam-roles-per-function.
 * - Removes the global Lambda role (IamRoleLambdaExecution) when no resource uses it: every function has its own
 *   role, so it would only be an unused role with logging permissions.
 * - Gives every policy document without a Version the current one ("2012-10-17"); without it IAM reads the 2008
 *   policy language (the framework's deployment-bucket policy has none).
 * CommonJS because Serverless loads plugins with require().
 */
'use strict';

const GLOBAL_ROLE = 'IamRoleLambdaExecution';
const POLICY_VERSION = '2012-10-17';

/** The policy documents of a resource, by the property that holds them. */
function policyDocuments(resource) {
  const properties = resource.Properties || {};
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return [
        properties.AssumeRolePolicyDocument,
        ...(properties.Policies || []).map((policy) => policy.PolicyDocument),
      ];
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::S3::BucketPolicy':
    case 'AWS::SNS::TopicPolicy':
    case 'AWS::SQS::QueuePolicy':
      return [properties.PolicyDocument];
    case 'AWS::KMS::Key':
      return [properties.KeyPolicy];
    default:
      return [];
  }
}

function tidy(template) {
  if (!template?.Resources) return;
  const resources = template.Resources;
  if (resources[GLOBAL_ROLE]) {
    const others = Object.entries(resources).filter(([id]) => id !== GLOBAL_ROLE);
    const used = others.some(([, resource]) => JSON.stringify(resource).includes(`"${GLOBAL_ROLE}"`));
    if (!used) delete resources[GLOBAL_ROLE];
  }
  for (const resource of Object.values(resources)) {
    for (const document of policyDocuments(resource)) {
      if (document && typeof document === 'object' && document.Version === undefined) {
        // Version first, as IAM shows it.
        const statements = document.Statement;
        delete document.Statement;
        document.Version = POLICY_VERSION;
        document.Statement = statements;
      }
    }
  }
}

class TemplateTidyPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:finalize': () => {
        const provider = this.serverless.service.provider;
        tidy(provider.compiledCloudFormationTemplate);
        tidy(provider.coreCloudFormationTemplate);
      },
    };
  }
}

module.exports = TemplateTidyPlugin;
