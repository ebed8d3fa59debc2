export interface ReferenceModel {
  service: string;
  stage: string;
  region: string;
  resources: Record<string, unknown>;
  stateMachines: Record<string, { id?: string; name: string }>;
  functions: string[];
}
export interface ReferenceRenderer {
  /** Deep-renders Ref / Fn::GetAtt / Fn::Sub / Fn::Join into local names and ARNs. */
  render(value: unknown): unknown;
  functionName(functionKey: string): string;
  arnOf(logicalId: string): string;
}
export function createReferenceRenderer(model: ReferenceModel): ReferenceRenderer;
export const LOCAL_ACCOUNT_ID: string;
