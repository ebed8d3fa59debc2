import { getCountries } from 'libphonenumber-js/max';
import { numberingPlan } from '../functions/core/import/numbering-plan.ts';
const missing = [], special = [], shared = [], prefixed = [];
for (const c of getCountries()) {
  const p = numberingPlan(c);
  if (!p) { missing.push(c); continue; }
  if (p.hasSpecialPrefixRules) special.push(c);
  if (!p.ownsCallingCode) shared.push(c);
  if (p.nationalPrefix) prefixed.push(c + '=' + p.nationalPrefix);
}
console.log(getCountries().length, 'missing', missing, '\nspecial', special.join(' '), '\nshared', shared.join(' '), '\nprefixed', prefixed.join(' '));
