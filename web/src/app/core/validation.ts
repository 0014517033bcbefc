import { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';

import { ORGANIZATION_RULE } from './problem';

/** The contract's tenant name: 3-63 of a-z, 0-9 and '-', starting with a letter. */
export const ORGANIZATION_PATTERN = /^[a-z][a-z0-9-]{2,62}$/;
export const MIN_PASSWORD_LENGTH = 8;

/** What is wrong with an organization name, in plain words, or null when it is fine. */
export function organizationNameProblem(name: string): string | null {
  if (!name) return 'Enter a name for your organization.';
  if (/[A-Z]/.test(name)) return 'Use lowercase letters only. ' + ORGANIZATION_RULE;
  if (/[^a-z0-9-]/.test(name)) return 'Only lowercase letters, digits and hyphens are allowed.';
  if (!/^[a-z]/.test(name)) return 'Start with a letter.';
  if (name.length < 3) return 'Use at least 3 characters.';
  if (name.length > 63) return 'Use at most 63 characters.';
  return null;
}

export const organizationNameValidator: ValidatorFn = (
  control: AbstractControl<string>,
): ValidationErrors | null => {
  const problem = organizationNameProblem(control.value ?? '');
  return problem ? { organization: problem } : null;
};

export type Strength = 'too-short' | 'weak' | 'fair' | 'strong';

export interface StrengthHint {
  strength: Strength;
  text: string;
}

/**
 * A hint, not a rule: the server decides (at least 8 characters, not a common password).
 * Length counts most, as it does for passphrases; variety of characters adds a little.
 */
export function passwordStrength(password: string): StrengthHint {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return {
      strength: 'too-short',
      text: `Too short: use at least ${MIN_PASSWORD_LENGTH} characters.`,
    };
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password));
  const repeated = /^(.)\1+$/.test(password);
  const score = (password.length >= 12 ? 2 : 0) + (password.length >= 16 ? 1 : 0) + classes.length;
  if (repeated || score <= 2) {
    return { strength: 'weak', text: 'Weak: a longer passphrase is harder to guess.' };
  }
  if (score <= 4) {
    return { strength: 'fair', text: 'Fair: a few more words would make it strong.' };
  }
  return { strength: 'strong', text: 'Strong password.' };
}
