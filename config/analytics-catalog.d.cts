import type { StoredTableName } from '../functions/core/analytics/fact-tables.ts';

/** The stage's names the catalogue is built with. */
export interface CatalogSettings {
  bucket: string;
  database: string;
  retentionDays: number | string;
}
/** A Glue `TableInput` as CloudFormation takes it. */
export type TableInput = Record<string, unknown>;
export function filesTableInput(table: StoredTableName, settings: CatalogSettings): TableInput;
export function viewTableInput(table: StoredTableName, settings: CatalogSettings): TableInput;
