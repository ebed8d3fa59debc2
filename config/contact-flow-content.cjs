/**
 * Serverless variable source for the contact flows: `${file(./config/contact-flow-content.cjs):outboundSurvey}`.
 * Returns the flow JSON as the string `AWS::Connect::ContactFlow` expects, wrapped in Fn::Sub so
 * the `${NextStepFunctionArn}`-style placeholders become the deployed functions' ARNs: the file
 * in contact-flows/ never holds account ids.
 */
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Placeholder → serverless function key whose ARN replaces it. */
const FUNCTION_PLACEHOLDERS = {
  NextStepFunctionArn: 'nextStep',
  RecordAnswerFunctionArn: 'recordAnswer',
};

function flowContent(fileName) {
  const json = JSON.stringify(JSON.parse(readFileSync(join(__dirname, '..', 'contact-flows', fileName), 'utf8')));
  const used = Object.entries(FUNCTION_PLACEHOLDERS).filter(([placeholder]) => json.includes(`\${${placeholder}}`));
  const variables = Object.fromEntries(
    used.map(([placeholder, functionKey]) => [
      placeholder,
      { 'Fn::GetAtt': [`${functionKey.charAt(0).toUpperCase()}${functionKey.slice(1)}LambdaFunction`, 'Arn'] },
    ]),
  );
  return { 'Fn::Sub': [json, variables] };
}

module.exports = {
  outboundSurvey: () => flowContent('outbound-survey.json'),
  FUNCTION_PLACEHOLDERS,
};
