/** RFC 9457 problem+json from the ChalkOps APIs, turned into plain words for people. */

export interface FieldProblem {
  field: string;
  message: string;
  type: string;
}

export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
}

/** Any failed API call: an HTTP error with its problem document, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fieldProblems: FieldProblem[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  static network(): ApiError {
    return new ApiError(0, 'network_error', 'the server could not be reached');
  }

  static async fromResponse(response: Response): Promise<ApiError> {
    let body: ProblemDocument = {};
    try {
      body = (await response.json()) as ProblemDocument;
    } catch {
      // Not JSON (a proxy's error page): the status alone has to do.
    }
    const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    return new ApiError(
      response.status,
      body.code ?? `http_${response.status}`,
      body.detail ?? body.title ?? response.statusText,
      Array.isArray(body.errors) ? body.errors : [],
      Number.isFinite(retry) ? retry : null,
    );
  }
}

/** Messages of a form: one per field (keyed by the form's field names) plus one for the form. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

/** Field names of the API mapped to the field names of a form, e.g. `admin_email` → `email`. */
export type FieldMap = Record<string, string>;

const RETRY_CODES = new Set(['account_locked', 'too_many_requests']);

export function retryPhrase(seconds: number | null): string {
  if (seconds === null) return 'Try again later.';
  if (seconds < 60) return `Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/** The plain-words sentence for an error code, independent of any field. */
export function plainMessage(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return 'Something went wrong. Please try again.';
  }
  switch (error.code) {
    case 'network_error':
      return 'ChalkOps cannot be reached. Check your connection and try again.';
    case 'tenant_name_taken':
      return 'This organization name is already taken. Choose another one.';
    case 'tenant_not_found':
      return 'There is no organization with this name.';
    case 'provisioning_failed':
      return 'Setting up the organization in its region failed. Try again in a few minutes.';
    case 'tenant_not_active':
      return 'This organization is still being set up. Try again in a moment.';
    case 'invalid_credentials':
      return 'The email or password is not right.';
    case 'account_locked':
      return `Too many failed sign-ins for this account. ${retryPhrase(error.retryAfterSeconds)}`;
    case 'too_many_requests':
      return `Too many failed sign-ins from your network. ${retryPhrase(error.retryAfterSeconds)}`;
    case 'passkey_invalid':
      return 'That passkey could not be verified. Try again or sign in with your password.';
    case 'challenge_expired':
      return 'The passkey request expired. Try again.';
    case 'credential_exists':
      return 'This passkey is already registered.';
    case 'email_taken':
      return 'A user with this email already exists.';
    case 'last_admin':
      return 'An organization needs at least one admin, so this change is not allowed.';
    case 'forbidden':
      return 'You do not have permission to do that.';
    case 'ip_blocked':
      return 'Requests from your network are blocked. Contact your administrator.';
    case 'token_expired':
    case 'invalid_token':
    case 'session_revoked':
    case 'refresh_token_reused':
    case 'unauthorized':
      return 'Your session has ended. Please sign in again.';
    case 'validation_error':
      return 'Some fields need attention.';
    default:
      return error.status >= 500
        ? 'ChalkOps had a problem handling this. Please try again.'
        : `${capitalize(error.detail)}.`;
  }
}

/** A field problem from a 422 in plain words (the API's own message is for developers). */
export function plainFieldMessage(field: string, problem: FieldProblem): string {
  if (problem.type === 'password_policy') return `${capitalize(problem.message)}.`;
  if (field.endsWith('tenant_name')) return ORGANIZATION_RULE;
  if (field.endsWith('email')) return 'Enter a valid email address, like name@example.com.';
  if (field.endsWith('password')) return 'Enter a password.';
  if (field === 'region') return 'Choose one of the listed regions.';
  if (field === 'nickname') return 'Use at most 64 characters.';
  return `${capitalize(problem.message)}.`;
}

export const ORGANIZATION_RULE =
  'Use 3 to 63 characters: lowercase letters, digits and hyphens, starting with a letter.';

/** Sort an API error into the form's fields; anything not tied to a field goes to `form`. */
export function toFormErrors(
  error: unknown,
  fieldMap: FieldMap,
  codeFields: FieldMap = {},
): FormErrors {
  const result: FormErrors = { fields: {}, form: null };
  if (error instanceof ApiError) {
    for (const problem of error.fieldProblems) {
      const formField = fieldMap[problem.field];
      if (formField && !(formField in result.fields)) {
        result.fields[formField] = plainFieldMessage(problem.field, problem);
      }
    }
    const codeField = codeFields[error.code];
    if (codeField) {
      result.fields[codeField] = plainMessage(error);
    } else if (Object.keys(result.fields).length === 0 || RETRY_CODES.has(error.code)) {
      result.form = plainMessage(error);
    }
    return result;
  }
  result.form = plainMessage(error);
  return result;
}

function capitalize(text: string): string {
  const trimmed = text.trim().replace(/\.$/, '');
  return trimmed ? trimmed[0].toUpperCase() + trimmed.slice(1) : 'Something went wrong';
}
