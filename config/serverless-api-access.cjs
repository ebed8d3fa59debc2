/**
 * Serverless plugin: who may call the API (docs/security.md, "API permission tiers").
 * - Each tier of `custom.apiAccess.tiers` becomes an IAM managed policy allowing `execute-api:Invoke` on exactly its
 *   routes' ARNs, with its ARN as a stack output. Packaging fails when an IAM-authorised route is in no tier or in
 *   two, or a tier names a route the API does not have.
 * - With `custom.apiAccess.private` true (the `privateApi` stage parameter, docs/deploy.md), the API is a private REST
 *   API instead of the HTTP API: every `httpApi` event becomes an `http` event with the same method, path and
 *   authorisation, the endpoint type is PRIVATE, reachable through the VPC endpoint `custom.apiAccess.vpcEndpointId`
 *   only (the API's resource policy), and request bodies reach the functions base64-encoded whatever their type
 *   (functions/lib/http.ts reads both payload versions). An HTTP API cannot be private.
 * Route paths become ARN paths with each `{parameter}` replaced by its pattern in `custom.apiAccess.pathParameters`
 * (`?` per character of a fixed-length value) or `*`.
 * CommonJS because Serverless loads plugins with require().
 */
'use strict';

const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
/** The dashboard's own files: the routes that need no signature (HEAD and GET of the page and its assets). */
const PUBLIC_RESOURCES = ['execute-api:/*/GET/', 'execute-api:/*/GET/assets/*'];

/** Whether a parameter given on the command line or in serverless.yml is on. */
const isOn = (value) => value === true || String(value).toLowerCase() === 'true';

/**
 * The private API's resource policy. Calls from anywhere but the VPC endpoint are refused. From it, the dashboard's
 * files are allowed to anyone, and the API to this account: an account principal delegates the decision to the
 * caller's identity policies (the API permission tiers), and callers of other accounts are refused (docs/deploy.md).
 */
function resourcePolicy(vpcEndpointId) {
  return [
    {
      Sid: 'OnlyThroughTheVpcEndpoint',
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': vpcEndpointId } },
    },
    {
      Sid: 'DashboardFilesInTheVpc',
      Effect: 'Allow',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: PUBLIC_RESOURCES,
      Condition: { StringEquals: { 'aws:SourceVpce': vpcEndpointId } },
    },
    {
      Sid: 'ThisAccountInTheVpcAsItsPoliciesAllow',
      Effect: 'Allow',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/*',
      Condition: { StringEquals: { 'aws:SourceVpce': vpcEndpointId } },
    },
  ];
}

/**
 * Turns the service into a private REST API: `http` events instead of `httpApi` ones, the PRIVATE endpoint of the
 * VPC endpoint, the resource policy. Changes `service` in place.
 * @throws Error when the VPC endpoint id is missing or malformed.
 */
function makePrivate(service, vpcEndpointId) {
  if (!VPC_ENDPOINT_ID.test(String(vpcEndpointId ?? ''))) {
    throw new Error(
      `privateApi needs the VPC endpoint of execute-api the API is reached through: --param apiVpcEndpointId=vpce-… ` +
        `(got "${vpcEndpointId ?? ''}"; docs/deploy.md, "Private API")`,
    );
  }
  for (const fn of Object.values(service.functions || {})) {
    fn.events = (fn.events || []).map((event) => {
      const route = event.httpApi;
      if (!route || typeof route !== 'object') return event;
      const http = { method: String(route.method).toLowerCase(), path: route.path };
      if (route.authorizer?.type === 'aws_iam') http.authorizer = { type: 'AWS_IAM' };
      return { http };
    });
  }
  const provider = service.provider;
  delete provider.httpApi;
  provider.endpointType = 'PRIVATE';
  provider.vpcEndpointIds = [vpcEndpointId];
  provider.apiGateway = {
    ...provider.apiGateway,
    resourcePolicy: resourcePolicy(vpcEndpointId),
    // Uploaded lists are binary (xlsx): every body reaches the function base64-encoded, as the HTTP API sends them.
    binaryMediaTypes: ['*/*'],
  };
}

/** `exportAndDnc` → `ExportAndDnc`, `export-and-dnc`. */
const pascal = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const kebab = (name) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The logical id of a tier's managed policy. */
const tierPolicyId = (tier) => `Api${pascal(tier)}Policy`;

/** `GET /campaigns/{campaignId}/lists/{listId}` → `GET/campaigns/*` + `/lists/????????-????????????????`. */
function arnPath(method, path, pathParameters) {
  const resource = path.replace(/\{([^}]+)\}/g, (_, name) => pathParameters[name] ?? '*');
  return `${method}${resource}`;
}

/** The IAM-authorised routes of the service's functions, as `METHOD /path` with their function. */
function iamRoutes(service) {
  const routes = [];
  for (const [name, fn] of Object.entries(service.functions || {})) {
    for (const event of fn.events || []) {
      const route = event.httpApi;
      if (!route || typeof route !== 'object') continue;
      if (route.authorizer?.type !== 'aws_iam') continue;
      routes.push({ key: `${String(route.method).toUpperCase()} ${route.path}`, fn: name });
    }
  }
  return routes;
}

/**
 * Checks that every IAM route is in exactly one tier and every tier's route exists; returns the routes by tier.
 * @throws Error naming every route in no tier or in two, and every tier route the API does not have.
 */
function routesByTier(routes, tiers) {
  const problems = [];
  const known = new Set(routes.map((route) => route.key));
  for (const [tier, { routes: listed = [] }] of Object.entries(tiers)) {
    for (const key of listed) {
      if (!known.has(key)) problems.push(`tier ${tier} names ${key}, which no function serves with IAM authorisation`);
    }
  }
  for (const route of routes) {
    const holders = Object.entries(tiers)
      .filter(([, { routes: listed = [] }]) => listed.includes(route.key))
      .map(([tier]) => tier);
    if (holders.length === 0) {
      problems.push(
        `${route.key} (function ${route.fn}) is in no tier: add it to one of ${Object.keys(tiers).join(', ')}`,
      );
    } else if (holders.length > 1) {
      problems.push(`${route.key} (function ${route.fn}) is in ${holders.join(' and ')}: a route belongs to one tier`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`custom.apiAccess.tiers (docs/security.md, "API permission tiers"):\n  ${problems.join('\n  ')}`);
  }
  return Object.fromEntries(Object.entries(tiers).map(([tier, { routes: listed = [] }]) => [tier, listed]));
}

/** The managed policies and outputs of the tiers, for the API `apiLogicalId` and its stage. */
function tierResources({ service, stage, apiLogicalId, apiStage, tiers, byTier, pathParameters }) {
  const resources = {};
  const outputs = {};
  for (const [tier, { description }] of Object.entries(tiers)) {
    const id = tierPolicyId(tier);
    resources[id] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: `${service}-${stage}-api-${kebab(tier)}`,
        Description: description,
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'execute-api:Invoke',
              Resource: byTier[tier].map((key) => {
                const [method, path] = key.split(' ');
                return {
                  'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiLogicalId}}/${apiStage}/${arnPath(method, path, pathParameters)}`,
                };
              }),
            },
          ],
        },
      },
    };
    outputs[`${id}Arn`] = {
      Description: `Attach to the IAM roles (or groups) that may call the ${tier} routes: ${description}`,
      Value: { Ref: id },
    };
  }
  return { resources, outputs };
}

class ApiAccessPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:compileEvents': () => this.choose(),
      'after:package:compileEvents': () => this.addTiers(),
    };
  }

  get settings() {
    return this.serverless.service.custom?.apiAccess || {};
  }

  /** Checks the tiers (before anything is compiled) and, for a private API, turns the routes into REST ones. */
  choose() {
    const service = this.serverless.service;
    this.byTier = routesByTier(iamRoutes(service), this.settings.tiers || {});
    if (isOn(this.settings.private)) makePrivate(service, this.settings.vpcEndpointId);
    else if (this.settings.vpcEndpointId) {
      throw new Error('apiVpcEndpointId is set but privateApi is not: pass --param privateApi=true, or leave it out');
    }
  }

  /** Adds the tiers' managed policies and outputs to the template, for the API the stage has. */
  addTiers() {
    const service = this.serverless.service;
    const template = service.provider.compiledCloudFormationTemplate;
    const isPrivate = isOn(this.settings.private);
    const { resources, outputs } = tierResources({
      service: service.service,
      stage: service.provider.stage,
      apiLogicalId: isPrivate ? 'ApiGatewayRestApi' : 'HttpApi',
      apiStage: isPrivate ? service.provider.stage : '$default',
      tiers: this.settings.tiers || {},
      byTier: this.byTier,
      pathParameters: this.settings.pathParameters || {},
    });
    Object.assign(template.Resources, resources);
    template.Outputs = { ...template.Outputs, ...outputs };
  }
}

module.exports = ApiAccessPlugin;
module.exports.routesByTier = routesByTier;
module.exports.arnPath = arnPath;
module.exports.resourcePolicy = resourcePolicy;
module.exports.makePrivate = makePrivate;
