/**
 * What a campaign declares about the people it calls (`policy` in its definition): why it calls them (purpose and
 * lawful basis), which contact-policy rules it falls under (its category) or opts out of (with a reason), which
 * caller-ID pool it dials from, which countries it calls and any legal-hours override (with a reason).
 *
 * The shape is checked here; what needs the stage's contact policy or the legal-hours table (a rule or pool that
 * exists, a window the law allows) is checked when the definition is stored (`campaignPolicyProblems`,
 * `legalHoursProblems`), so a stored definition never becomes unreadable when the stage's policy changes.
 */
import { z } from 'zod';

/** Why the campaign calls: `COMMERCIAL` is direct marketing (commercial information, sales, promotion). */
export const PurposeSchema = z.enum(['INFORMATIONAL', 'COMMERCIAL']);
export type Purpose = z.infer<typeof PurposeSchema>;

/** GDPR art. 6(1) lawful bases, (a) to (f). */
export const LawfulBasisSchema = z.enum([
  'CONSENT',
  'CONTRACT',
  'LEGAL_OBLIGATION',
  'VITAL_INTERESTS',
  'PUBLIC_TASK',
  'LEGITIMATE_INTERESTS',
]);

/** A contact-policy rule id, a category or a caller-ID pool id: `lower-case-with-dashes`. */
export const PolicyIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes');

/** ISO 3166 alpha-2 country code. */
export const CountrySchema = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, e.g. PL');

/** Why a rule or a legal limit does not apply: read by people (audit, status), so it must say something. */
export const ReasonSchema = z
  .string()
  .trim()
  .min(10, 'state the reason (at least 10 characters)')
  .max(500, 'at most 500 characters');

export const CapExemptionSchema = z.object({ rule: PolicyIdSchema, reason: ReasonSchema });
export const LegalHoursOverrideSchema = z.object({ country: CountrySchema, reason: ReasonSchema });

export const CAMPAIGN_POLICY_DEFAULTS = {
  purpose: 'INFORMATIONAL',
  lawfulBasis: 'LEGITIMATE_INTERESTS',
  capExemptions: [],
  countries: [],
  legalHoursOverrides: [],
  skipPublicHolidays: false,
  consentColumns: ['consent', 'zgoda', 'consent_given'],
} as const;

export const CampaignPolicySchema = z
  .object({
    purpose: PurposeSchema.default(CAMPAIGN_POLICY_DEFAULTS.purpose),
    lawfulBasis: LawfulBasisSchema.default(CAMPAIGN_POLICY_DEFAULTS.lawfulBasis),
    /** Which of the stage's contact-policy rules apply (a rule may name categories). */
    category: PolicyIdSchema.optional(),
    /** Rules of the stage's contact policy this campaign is not held back by (its calls still count). */
    capExemptions: z.array(CapExemptionSchema).max(10).default([]),
    /** Caller-ID pool of the stage's contact policy to dial from instead of `callerId`. */
    callerIdPool: PolicyIdSchema.optional(),
    /** Countries called besides `defaultCountry`: the window is checked against their legal hours too. */
    countries: z.array(CountrySchema).max(50).default([]),
    /** Countries whose legal-hours table is not applied, each with the reason (recorded, shown, audited). */
    legalHoursOverrides: z.array(LegalHoursOverrideSchema).max(50).default([]),
    /** Nobody is called on the public holidays of their own country (where the table lists them). */
    skipPublicHolidays: z.boolean().default(false),
    /** COMMERCIAL: the list's column holding each person's consent (header names, compared loosely). */
    consentColumns: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(10)
      .default([...CAMPAIGN_POLICY_DEFAULTS.consentColumns]),
  })
  .superRefine((policy, context) => {
    if (policy.purpose === 'COMMERCIAL' && policy.lawfulBasis !== 'CONSENT') {
      context.addIssue({
        code: 'custom',
        path: ['lawfulBasis'],
        message:
          'a COMMERCIAL campaign calls with prior consent only (PL: art. 398 Prawo komunikacji elektronicznej; UK: PECR reg. 19; US: 47 CFR 64.1200(a)(2)): lawfulBasis CONSENT',
      });
    }
    const rules = policy.capExemptions.map((exemption) => exemption.rule);
    rules.forEach((rule, index) => {
      if (rules.indexOf(rule) !== index) {
        context.addIssue({ code: 'custom', path: ['capExemptions', index, 'rule'], message: `"${rule}" twice` });
      }
    });
    const countries = policy.legalHoursOverrides.map((override) => override.country);
    countries.forEach((country, index) => {
      if (countries.indexOf(country) !== index) {
        context.addIssue({
          code: 'custom',
          path: ['legalHoursOverrides', index, 'country'],
          message: `"${country}" twice`,
        });
      }
    });
  });
export type CampaignPolicy = z.infer<typeof CampaignPolicySchema>;

/** The policy a definition without `policy` gets. */
export const DEFAULT_CAMPAIGN_POLICY: CampaignPolicy = CampaignPolicySchema.parse({});

/** Consent cells that mean yes (compared case-insensitively, trimmed): anything else is no consent. */
const CONSENT_YES = new Set(['yes', 'y', 'true', '1', 'tak', 't', 'x', 'oui', 'ja', 'si', 'sí', 'consent', 'granted']);

/** Whether a consent cell says the person consented. */
export function isConsentGiven(cell: string | undefined): boolean {
  if (cell === undefined) return false;
  const value = cell.trim().toLowerCase();
  if (CONSENT_YES.has(value)) return true;
  // A date (the day consent was given) counts as consent.
  return /^\d{4}-\d{2}-\d{2}([ T].*)?$/.test(value) && Number.isFinite(Date.parse(value.slice(0, 10)));
}
