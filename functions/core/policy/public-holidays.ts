/**
 * Public holidays of the countries the legal-hours table needs them for, computed per year (Easter-dependent days
 * included), so the table does not run out. Sources and dates checked: functions/core/policy/legal-hours.ts.
 */

/** Easter Sunday of `year` (Gregorian), as `YYYY-MM-DD`: the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const plusDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const fixed = (year: number, monthDays: readonly string[]): string[] => monthDays.map((md) => `${year}-${md}`);

/**
 * Poland: Ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy, art. 1, as amended by the Act of
 * 6 December 2024 (Christmas Eve a day off from 2025).
 */
function polishHolidays(year: number): string[] {
  const easter = easterSunday(year);
  return [
    ...fixed(year, ['01-01', '01-06', '05-01', '05-03', '08-15', '11-01', '11-11', '12-25', '12-26']),
    ...(year >= 2025 ? [`${year}-12-24`] : []),
    easter,
    plusDays(easter, 1), // Easter Monday
    plusDays(easter, 49), // Pentecost Sunday (Zielone Świątki)
    plusDays(easter, 60), // Corpus Christi (Boże Ciało)
  ].sort();
}

/** France: Code du travail, art. L3133-1 (the days D223-9 of the Code de la consommation refers to). */
function frenchHolidays(year: number): string[] {
  const easter = easterSunday(year);
  return [
    ...fixed(year, ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25']),
    plusDays(easter, 1), // Easter Monday
    plusDays(easter, 39), // Ascension
    plusDays(easter, 50), // Whit Monday
  ].sort();
}

const HOLIDAYS: Readonly<Record<string, (year: number) => string[]>> = { PL: polishHolidays, FR: frenchHolidays };

/** The public holidays of `country` in the given years (empty for a country not known here). */
export function publicHolidays(country: string, years: readonly number[]): string[] {
  const of = HOLIDAYS[country];
  return of === undefined ? [] : years.flatMap((year) => of(year));
}
