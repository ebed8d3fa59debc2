/**
 * Renders the CloudFormation references that serverless.yml uses (Ref, Fn::GetAtt ... Arn, Fn::Sub)
 * into the names and ARNs of the local cloud, as CloudFormation does on deploy.
 * Shared by the serverless plugin (function environments) and the local Step Functions endpoint
 * (state machine definitions). CommonJS because Serverless loads plugins with require().
 */
'use strict';

const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * @param {{ service: string, stage: string, region: string, resources: Record<string, any>,
 *   stateMachines: Record<string, any>, functions: string[] }} model
 */
function createReferenceRenderer(model) {
  const { service, stage, region, resources, stateMachines, functions } = model;
  const functionName = (key) => `${service}-${stage}-${key}`;
  const functionKeyOfLogicalId = (logicalId) =>
    functions.find(
      (key) => logicalId === key || logicalId === `${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaFunction`,
    );

  const arnOf = (logicalId) => {
    const resource = resources[logicalId];
    if (resource) {
      const properties = resource.Properties || {};
      switch (resource.Type) {
        case 'AWS::SNS::Topic':
          return `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${properties.TopicName}`;
        case 'AWS::SQS::Queue':
          return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${properties.QueueName}`;
        case 'AWS::DynamoDB::Table':
          return `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT_ID}:table/${properties.TableName}`;
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${properties.BucketName}`;
        case 'AWS::Connect::ContactFlow':
          return `${properties.InstanceArn}/contact-flow/${logicalId}`;
        case 'AWS::SecretsManager::Secret':
          // AWS appends six random characters to a secret's name in its ARN; the local cloud has no need to.
          return `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT_ID}:secret:${properties.Name}`;
        default:
          break;
      }
    }
    for (const machine of Object.values(stateMachines)) {
      if (machine.id === logicalId) {
        return `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${machine.name}`;
      }
    }
    const functionKey = functionKeyOfLogicalId(logicalId);
    if (functionKey !== undefined) {
      return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName(functionKey)}`;
    }
    throw new Error(`local cloud: cannot render a reference to "${logicalId}"`);
  };

  const refOf = (logicalId) => {
    if (logicalId === 'AWS::Region') return region;
    if (logicalId === 'AWS::AccountId') return LOCAL_ACCOUNT_ID;
    if (logicalId === 'AWS::Partition') return 'aws';
    if (logicalId === 'AWS::URLSuffix') return 'amazonaws.com';
    const resource = resources[logicalId];
    if (resource && resource.Type === 'AWS::DynamoDB::Table') return resource.Properties.TableName;
    if (resource && resource.Type === 'AWS::S3::Bucket') return resource.Properties.BucketName;
    if (resource && resource.Type === 'AWS::SQS::Queue') {
      return `http://127.0.0.1/${LOCAL_ACCOUNT_ID}/${resource.Properties.QueueName}`;
    }
    const functionKey = functionKeyOfLogicalId(logicalId);
    if (functionKey !== undefined) return functionName(functionKey);
    return arnOf(logicalId);
  };

  const getAtt = (logicalId, attribute) => {
    if (attribute === 'Arn') return arnOf(logicalId);
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TopicName') {
      const resource = resources[logicalId];
      return resource?.Properties?.QueueName ?? resource?.Properties?.TopicName ?? refOf(logicalId);
    }
    throw new Error(`local cloud: cannot render Fn::GetAtt ${logicalId}.${attribute}`);
  };

  const substitute = (template, variables) =>
    template.replace(/\$\{([^}]+)\}/g, (_match, name) => {
      if (variables && name in variables) return String(render(variables[name]));
      const [logicalId, attribute] = name.split('.');
      return attribute === undefined ? refOf(logicalId) : getAtt(logicalId, attribute);
    });

  const render = (value) => {
    if (Array.isArray(value)) return value.map(render);
    if (value === null || typeof value !== 'object') return value;
    if (typeof value.Ref === 'string') return refOf(value.Ref);
    if (value['Fn::GetAtt']) {
      const target = value['Fn::GetAtt'];
      const [logicalId, attribute] = Array.isArray(target) ? target : String(target).split('.');
      return getAtt(logicalId, attribute);
    }
    if (value['Fn::Sub'] !== undefined) {
      const sub = value['Fn::Sub'];
      return Array.isArray(sub) ? substitute(sub[0], sub[1]) : substitute(sub, undefined);
    }
    if (value['Fn::Join']) {
      const [delimiter, parts] = value['Fn::Join'];
      return render(parts).join(delimiter);
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, render(inner)]));
  };

  return { render, functionName, arnOf };
}

module.exports = { createReferenceRenderer, LOCAL_ACCOUNT_ID };
