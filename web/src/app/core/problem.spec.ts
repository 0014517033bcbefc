import { ApiError, plainMessage, toFormErrors } from './problem';

function problemResponse(
  status: number,
  body: object,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });
}

describe('ApiError.fromResponse', () => {
  it('reads code, detail, field errors and Retry-After from problem+json', async () => {
    const error = await ApiError.fromResponse(
      problemResponse(
        429,
        { code: 'account_locked', detail: 'too many failed sign-ins', status: 429 },
        { 'Retry-After': '4' },
      ),
    );
    expect(error.status).toBe(429);
    expect(error.code).toBe('account_locked');
    expect(error.retryAfterSeconds).toBe(4);
  });

  it('copes with a body that is not JSON', async () => {
    const error = await ApiError.fromResponse(
      new Response('<html>bad gateway</html>', { status: 502 }),
    );
    expect(error.code).toBe('http_502');
    expect(plainMessage(error)).toContain('had a problem');
  });
});

describe('plainMessage', () => {
  it('says when to retry a throttled sign-in', () => {
    expect(plainMessage(new ApiError(429, 'account_locked', 'x', [], 4))).toBe(
      'Too many failed sign-ins for this account. Try again in 4 seconds.',
    );
    expect(plainMessage(new ApiError(429, 'account_locked', 'x', [], 600))).toContain(
      'Try again in 10 minutes.',
    );
  });

  it('does not pass raw errors through', () => {
    expect(plainMessage(new TypeError('x is undefined'))).toBe(
      'Something went wrong. Please try again.',
    );
    expect(plainMessage(ApiError.network())).toContain('cannot be reached');
  });
});

describe('toFormErrors', () => {
  const fields = { tenant_name: 'name', admin_password: 'password', admin_email: 'email' };

  it('puts each 422 field problem in plain words next to its form field', () => {
    const error = new ApiError(422, 'validation_error', 'invalid fields', [
      {
        field: 'tenant_name',
        message: "String should match pattern '^[a-z]'",
        type: 'string_pattern_mismatch',
      },
      {
        field: 'admin_password',
        message: 'this password is too common; choose another',
        type: 'password_policy',
      },
    ]);
    const result = toFormErrors(error, fields);
    expect(result.fields['name']).toContain('lowercase letters, digits and hyphens');
    expect(result.fields['password']).toBe('This password is too common; choose another.');
    expect(result.form).toBeNull();
  });

  it('ties a code to a field when the form says so', () => {
    const taken = new ApiError(409, 'tenant_name_taken', "the tenant name 'acme' is taken");
    const result = toFormErrors(taken, fields, { tenant_name_taken: 'name' });
    expect(result.fields['name']).toBe(
      'This organization name is already taken. Choose another one.',
    );
    expect(result.form).toBeNull();
  });

  it('keeps errors that belong to no field for the whole form', () => {
    const result = toFormErrors(new ApiError(403, 'ip_blocked', 'blocked'), fields);
    expect(result.fields).toEqual({});
    expect(result.form).toContain('blocked');
  });
});
