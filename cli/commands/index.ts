/** Every command of the CLI, in the order `campaign help` lists them. */
import type { CommandSpec } from '../command-line.ts';
import { analyticsCommand } from './analytics.ts';
import { analyzeCommand } from './analyze.ts';
import { auditCommand } from './audit.ts';
import { campaignsCommand } from './campaigns.ts';
import { dashboardCommand } from './dashboard.ts';
import { dncCommand } from './dnc.ts';
import { listsCommand } from './lists.ts';
import { personCommand } from './person.ts';
import { planCommand } from './plan.ts';
import { reportCommand } from './report.ts';
import { runsCommand } from './runs.ts';
import { statusCommand } from './status.ts';
import { uploadCommand } from './upload.ts';

export const COMMANDS: readonly CommandSpec[] = [
  planCommand,
  uploadCommand,
  listsCommand,
  runsCommand,
  statusCommand,
  reportCommand,
  dncCommand,
  personCommand,
  auditCommand,
  campaignsCommand,
  dashboardCommand,
  analyzeCommand,
  analyticsCommand,
];
