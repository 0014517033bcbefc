import { organizationNameProblem, passwordStrength } from './validation';

describe('organizationNameProblem', () => {
  it.each(['abc', 'acme-corp', 'a1-2-3', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(organizationNameProblem(name)).toBeNull();
  });

  it.each([
    ['', 'Enter a name'],
    ['Acme', 'lowercase letters only'],
    ['acme_corp', 'Only lowercase letters, digits and hyphens'],
    ['acme corp', 'Only lowercase letters, digits and hyphens'],
    ['1acme', 'Start with a letter'],
    ['-acme', 'Start with a letter'],
    ['ab', 'at least 3 characters'],
    ['a'.repeat(64), 'at most 63 characters'],
  ])('explains what is wrong with %j', (name, words) => {
    expect(organizationNameProblem(name)).toContain(words);
  });
});

describe('passwordStrength', () => {
  it('calls anything under 8 characters too short', () => {
    expect(passwordStrength('Ab1!').strength).toBe('too-short');
  });

  it('calls one repeated character weak however long', () => {
    expect(passwordStrength('aaaaaaaaaaaaaaaaaaaa').strength).toBe('weak');
  });

  it('grades by length first', () => {
    expect(passwordStrength('abcdefgh').strength).toBe('weak');
    expect(passwordStrength('abcdefgh1234').strength).toBe('fair');
    expect(passwordStrength('correct horse battery staple').strength).toBe('strong');
  });

  it('always gives a sentence to show', () => {
    for (const password of ['', 'abcdefgh', 'correct horse battery staple']) {
      expect(passwordStrength(password).text).toMatch(/\.$/);
    }
  });
});
