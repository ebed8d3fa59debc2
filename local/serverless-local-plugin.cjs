/**
 * Serverless plugin, active only under `serverless offline`: renders the CloudFormation references
 * in function environments (`!Ref AlertsTopic`, `!GetAtt MainTable.Arn`, ...) into the ARNs and
 * names of the local cloud, as CloudFormation does on deploy. Handlers see the same variables in
 * both worlds; only the AWS_ENDPOINT_URL_* endpoints differ.
 */
'use strict';

const { createReferenceRenderer } = require('./cloudformation-references.cjs');

class LocalReferencesPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:offline:start:init': () => this.render(),
      'before:offline:start': () => this.render(),
    };
  }

  render() {
    const service = this.serverless.service;
    const renderer = createReferenceRenderer({
      service: service.service,
      stage: service.provider.stage,
      region: service.provider.region,
      resources: service.resources?.Resources || {},
      stateMachines: this.serverless.configurationInput?.stepFunctions?.stateMachines || {},
      functions: service.getAllFunctions(),
    });
    const renderEnvironment = (environment) => {
      if (!environment) return;
      for (const [key, value] of Object.entries(environment)) {
        environment[key] = renderer.render(value);
      }
    };
    renderEnvironment(service.provider.environment);
    for (const name of service.getAllFunctions()) {
      renderEnvironment(service.getFunction(name).environment);
    }
  }
}

module.exports = LocalReferencesPlugin;
