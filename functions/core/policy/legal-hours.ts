/**
 * Legal calling hours by callee country: a dated, sourced table (checked {@link LEGAL_HOURS_CHECKED_ON}) and what
 * the engine does with it.
 *
 * - When a campaign is stored, its calling window must lie inside the legal hours of every country it calls
 *   (`defaultCountry` and `policy.countries`), for its purpose, on every day it names; otherwise `PUT` answers 400
 *   with the path, unless `policy.legalHoursOverrides` names the country with a reason.
 * - At the moment of each call, the callee's country comes from their number, and the call is placed only inside
 *   both the campaign's window and that country's legal hours (holidays included); otherwise the contact waits
 *   for the next moment both allow. A number from a country the table does not list is called within the
 *   campaign's window alone.
 *
 * Where a country has no statutory hours, the table says so and names what does bind (consent for commercial
 * calls, enforced through `policy.purpose`/`lawfulBasis`; caller ID rules, docs/contact-policy.md). Not legal
 * advice: the table is what the engine enforces, with where it comes from; keep it under review.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CallingWindow, Weekday } from '../campaign.ts';
import { isWithinWindow, nextWindowOpening } from './calling-window.ts';
import type { CampaignPolicy, Purpose } from './campaign-policy.ts';
import { publicHolidays } from './public-holidays.ts';

/** When the table below was last checked against its sources. */
export const LEGAL_HOURS_CHECKED_ON = '2026-12-04';

export interface LegalSource {
  title: string;
  url: string;
}

/** Hours the law allows calls of some purposes to a country's callees, in the callee's local time. */
export interface LegalHoursRule {
  purposes: readonly Purpose[];
  /** Calls are allowed inside any of these (callee-local); outside them, never. */
  windows: ReadonlyArray<{ days: readonly Weekday[]; start: string; end: string }>;
  /** No calls on the country's public holidays (functions/core/policy/public-holidays.ts). */
  noPublicHolidays: boolean;
  /** The day the rule took effect. */
  since: string;
  summary: string;
  sources: readonly LegalSource[];
}

export interface CountryLegalHours {
  country: string;
  name: string;
  /** Rules by purpose; a purpose no rule names has no statutory hours. */
  rules: readonly LegalHoursRule[];
  /** What else binds calls to this country, for the docs and the status (not enforced here). */
  notes: readonly string[];
  sources: readonly LegalSource[];
}

const ALL_DAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI'];

/** The table. Each entry: what the law says, since when, and where it says so. */
export const LEGAL_HOURS: readonly CountryLegalHours[] = [
  {
    country: 'US',
    name: 'United States',
    rules: [
      {
        // The rule is written for telephone solicitations; the engine applies it to every purpose, as many dialers
        // do, because several state laws extend hours limits to other calls.
        purposes: ['INFORMATIONAL', 'COMMERCIAL'],
        windows: [{ days: ALL_DAYS, start: '08:00', end: '21:00' }],
        noPublicHolidays: false,
        since: '1992-12-20',
        summary:
          'No telephone solicitation before 8:00 or after 21:00, local time at the called party’s location (TCPA rules, 47 CFR § 64.1200(c)(1)); applied to every purpose',
        sources: [
          {
            title: '47 CFR § 64.1200(c)(1), Delivery restrictions (eCFR)',
            url: 'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200',
          },
        ],
      },
    ],
    notes: [
      'Prerecorded calls to residential lines need prior express consent unless exempted (47 CFR § 64.1200(a)(3)); TRACED Act exemptions cap exempted calls (e.g. 3 per 30 days): express them as contact-policy rules.',
      'State laws can be stricter (hours, holidays); they are not in this table.',
    ],
    sources: [],
  },
  {
    country: 'CA',
    name: 'Canada',
    rules: [
      {
        purposes: ['COMMERCIAL'],
        windows: [
          { days: WEEKDAYS, start: '09:00', end: '21:30' },
          { days: ['SAT', 'SUN'], start: '10:00', end: '18:00' },
        ],
        noPublicHolidays: false,
        since: '2008-09-30',
        summary:
          'Telemarketing calls only 9:00–21:30 on weekdays and 10:00–18:00 on weekends, the called person’s time (CRTC Unsolicited Telecommunications Rules)',
        sources: [
          {
            title: 'CRTC, Key Unsolicited Telecommunications Rules (calling curfews)',
            url: 'https://crtc.gc.ca/eng/phone/telemarketing/tobligations/rules-regles.htm',
          },
        ],
      },
    ],
    notes: [
      'Calls that are not telemarketing (surveys, reminders, collections) have no curfew in these rules; provinces may add their own.',
    ],
    sources: [],
  },
  {
    country: 'FR',
    name: 'France',
    rules: [
      {
        purposes: ['COMMERCIAL'],
        windows: [
          { days: WEEKDAYS, start: '10:00', end: '13:00' },
          { days: WEEKDAYS, start: '14:00', end: '20:00' },
        ],
        noPublicHolidays: true,
        since: '2023-03-01',
        summary:
          'Commercial prospecting by phone only Monday to Friday, 10:00–13:00 and 14:00–20:00 in the consumer’s time zone, never on public holidays (Code du travail L3133-1); at most 4 calls per 30 days (Code de la consommation art. D223-9, décret n° 2022-1313)',
        sources: [
          {
            title: 'Décret n° 2022-1313 du 13 octobre 2022 (JORF n° 0239 du 14 octobre 2022)',
            url: 'https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000046421823',
          },
        ],
      },
    ],
    notes: [
      'D223-9 also limits a professional to 4 prospecting calls per consumer per 30 days, and to none for 60 days after a refusal: express the first as a contact-policy rule { within: P30D, max: 4, appliesTo: { purposes: [COMMERCIAL] } }.',
      'Outside these hours only with the consumer’s express prior consent that the professional can prove.',
    ],
    sources: [],
  },
  {
    country: 'PL',
    name: 'Poland',
    rules: [],
    notes: [
      'No statutory calling hours.',
      'Automated calling systems may not be used for commercial information, including direct marketing, without the subscriber’s prior consent (art. 398 Prawo komunikacji elektronicznej, in force since 10 November 2024): a COMMERCIAL campaign needs lawfulBasis CONSENT and a consent column in its lists.',
      'Public holidays (ustawa o dniach wolnych od pracy; 24 December since 2025) are skipped when a campaign sets policy.skipPublicHolidays.',
    ],
    sources: [
      {
        title: 'Ustawa z dnia 12 lipca 2024 r. Prawo komunikacji elektronicznej (Dz.U. 2024 poz. 1221), art. 398',
        url: 'https://isap.sejm.gov.pl/isap.nsf/DocDetails.xsp?id=WDU20240001221',
      },
      {
        title: 'Ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy, as amended by the Act of 6 December 2024',
        url: 'https://isap.sejm.gov.pl/isap.nsf/DocDetails.xsp?id=WDU19510040028',
      },
    ],
  },
  {
    country: 'GB',
    name: 'United Kingdom',
    rules: [],
    notes: [
      'No statutory calling hours.',
      'Automated marketing calls need the person’s prior consent (PECR 2003, regulation 19): a COMMERCIAL campaign needs lawfulBasis CONSENT.',
      'The caller ID shown must be a valid, dialable number that identifies the caller and can be called back (Ofcom General Condition C6; Persistent Misuse statement, 2016): see docs/contact-policy.md for the information message return calls should reach.',
    ],
    sources: [
      {
        title: 'Ofcom, Persistent misuse: a statement of Ofcom’s general policy (20 December 2016, from 1 March 2017)',
        url: 'https://www.ofcom.org.uk/consultations-and-statements/category-1/review-of-how-we-use-persistent-misuse-powers',
      },
      {
        title: 'The Privacy and Electronic Communications (EC Directive) Regulations 2003, regulation 19',
        url: 'https://www.legislation.gov.uk/uksi/2003/2426/regulation/19',
      },
    ],
  },
];

const BY_COUNTRY = new Map(LEGAL_HOURS.map((entry) => [entry.country, entry]));

/** The rule binding calls of `purpose` to `country`, if the table has one. */
export function legalRuleFor(country: string, purpose: Purpose): LegalHoursRule | undefined {
  return BY_COUNTRY.get(country)?.rules.find((rule) => rule.purposes.includes(purpose));
}

/** The country of an E.164 number's numbering plan, if it has one. */
export function countryOfNumber(phone: string): string | undefined {
  return parsePhoneNumberFromString(phone)?.country;
}

const countriesCalled = (campaign: { defaultCountry: string; policy: CampaignPolicy }): string[] => [
  ...new Set([campaign.defaultCountry, ...campaign.policy.countries]),
];

/**
 * Why a campaign's window breaks the legal hours of a country it calls: one problem per country and day, by path,
 * naming the rule and its source. Countries overridden with a reason are skipped.
 */
export function legalHoursProblems(campaign: {
  defaultCountry: string;
  callingWindow: CallingWindow;
  policy: CampaignPolicy;
}): Array<{ path: string; message: string }> {
  const overridden = new Set(campaign.policy.legalHoursOverrides.map((override) => override.country));
  const problems: Array<{ path: string; message: string }> = [];
  for (const country of countriesCalled(campaign)) {
    if (overridden.has(country)) continue;
    const rule = legalRuleFor(country, campaign.policy.purpose);
    if (rule === undefined) continue;
    const window = campaign.callingWindow;
    const outside = window.days.filter(
      (day) =>
        !rule.windows.some(
          (legal) => legal.days.includes(day) && legal.start <= window.start && window.end <= legal.end,
        ),
    );
    if (outside.length === 0) continue;
    const allowed = rule.windows.map((legal) => `${legal.days.join(',')} ${legal.start}–${legal.end}`).join('; ');
    problems.push({
      path: 'callingWindow',
      message: `${window.start}–${window.end} on ${outside.join(', ')} is outside the legal hours for ${campaign.policy.purpose} calls to ${country} (${allowed}: ${rule.sources[0]?.title ?? rule.summary}, checked ${LEGAL_HOURS_CHECKED_ON}); narrow the window or record policy.legalHoursOverrides: [{ country: ${country}, reason: … }]`,
    });
  }
  return problems;
}

/**
 * The windows a callee of `country` may be called in: the campaign's window cut to the country's legal hours
 * (unless overridden), without its public holidays where the law or the campaign says so. Holidays are listed for
 * the years around `now`.
 */
export function callableWindows(
  campaign: { callingWindow: CallingWindow; policy: CampaignPolicy },
  country: string | undefined,
  now: Date,
): CallingWindow[] {
  const window = campaign.callingWindow;
  if (country === undefined) return [window];
  const overridden = campaign.policy.legalHoursOverrides.some((override) => override.country === country);
  const rule = overridden ? undefined : legalRuleFor(country, campaign.policy.purpose);
  const year = now.getUTCFullYear();
  const years = [year - 1, year, year + 1];
  const skipHolidays = rule?.noPublicHolidays === true || campaign.policy.skipPublicHolidays;
  const holidays = skipHolidays ? [...window.holidays, ...publicHolidays(country, years)] : window.holidays;
  if (rule === undefined) return [{ ...window, holidays }];
  const windows: CallingWindow[] = [];
  for (const legal of rule.windows) {
    const days = window.days.filter((day) => legal.days.includes(day));
    const start = window.start > legal.start ? window.start : legal.start;
    const end = window.end < legal.end ? window.end : legal.end;
    if (days.length > 0 && start < end) windows.push({ days, start, end, holidays });
  }
  return windows;
}

/** Whether `instant` is inside one of the windows, on the callee's clock. */
export function isCallableAt(windows: readonly CallingWindow[], zone: string, instant: Date): boolean {
  return windows.some((window) => isWithinWindow(window, zone, instant));
}

/** The earliest instant at or after `from` inside one of the windows; undefined when none opens within a year. */
export function nextCallableAt(windows: readonly CallingWindow[], zone: string, from: Date): Date | undefined {
  let earliest: Date | undefined;
  for (const window of windows) {
    const opening = nextWindowOpening(window, zone, from);
    if (opening !== undefined && (earliest === undefined || opening < earliest)) earliest = opening;
  }
  return earliest;
}
