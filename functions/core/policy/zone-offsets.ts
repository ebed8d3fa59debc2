/**
 * IANA time zones whose UTC offsets are remembered per minute. Luxon asks `Intl.DateTimeFormat` for every offset
 * (about 4 µs each), and one retry decision needs a dozen of them: the planner and the pacing benchmark settle
 * hundreds of thousands of attempts, and spent most of their time there. Offsets change only at transitions, and
 * since 1972 every transition falls on a whole minute, so an offset read at both ends of a minute holds for all of
 * it; a minute whose ends disagree (a transition inside it, in older data) is never remembered.
 */
import { IANAZone } from 'luxon';

const MS_PER_MINUTE = 60_000;
/** Minutes remembered per zone before the memo starts again (about two months of minutes, a few MB). */
const MEMO_LIMIT = 100_000;

class MemoisedZone extends IANAZone {
  private readonly offsets = new Map<number, number>();

  override offset(ts: number): number {
    const minute = Math.floor(ts / MS_PER_MINUTE);
    const known = this.offsets.get(minute);
    if (known !== undefined) return known;
    const start = minute * MS_PER_MINUTE;
    const atStart = super.offset(start);
    if (super.offset(start + MS_PER_MINUTE - 1) !== atStart) return super.offset(ts);
    if (this.offsets.size >= MEMO_LIMIT) this.offsets.clear();
    this.offsets.set(minute, atStart);
    return atStart;
  }
}

const zones = new Map<string, IANAZone>();

/**
 * The zone named `name`, offsets remembered; one instance per name. Check `isValid` as with `IANAZone.create`.
 */
export function memoisedZone(name: string): IANAZone {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = new MemoisedZone(name);
    zones.set(name, zone);
  }
  return zone;
}
