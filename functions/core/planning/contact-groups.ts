/** Contacts of one time zone waiting for their next attempt, as the simulation of a run takes them. */
export interface ContactGroup {
  timeZone: string;
  count: number;
  /** Attempts each has had already (a re-plan mid-run). Default 0. */
  attempts?: number;
  /** When they fall due (epoch ms). Default: the run's start, moved into their calling window. */
  dueAt?: number;
}
