import { InjectionToken, inject, Injectable } from '@angular/core';

import type {
  Credentials,
  GlobalToken,
  Passkey,
  PasskeyAssertion,
  PasskeyCreationOptions,
  PasskeyLoginCeremony,
  PasskeyRegistration,
  Region,
  RegisterRequest,
  Tenant,
  TenantAuth,
  TokenPair,
  User,
  UserCreate,
  UserUpdate,
} from './api-types';
import { AppConfig } from './config';
import { ApiError } from './problem';

/** The `fetch` the client uses; tests provide a fake. */
export const FETCH = new InjectionToken<typeof fetch>('fetch', {
  providedIn: 'root',
  factory: () => fetch.bind(globalThis),
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface CallOptions {
  body?: unknown;
  token?: string;
}

/**
 * Typed client of the central API and, through it, each tenant's regional API. Every method
 * resolves with the contract's shape or rejects with an {@link ApiError}.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly config = inject(AppConfig);
  private readonly fetcher = inject(FETCH);

  // Central API -------------------------------------------------------------------------
  regions(): Promise<Region[]> {
    return this.call('GET', '/regions');
  }

  register(body: RegisterRequest): Promise<Tenant> {
    return this.call('POST', '/auth/register', { body });
  }

  tenant(name: string): Promise<Tenant> {
    return this.call('GET', `/tenants/${encodeURIComponent(name)}`);
  }

  globalAdminLogin(body: Credentials): Promise<GlobalToken> {
    return this.call('POST', '/auth/login', { body });
  }

  // A tenant's regional API ------------------------------------------------------------
  login(tenant: string, body: Credentials): Promise<TokenPair> {
    return this.call('POST', tenantPath(tenant, '/auth/login'), { body });
  }

  refresh(tenant: string, refreshToken: string): Promise<TokenPair> {
    return this.call('POST', tenantPath(tenant, '/auth/refresh'), {
      body: { refresh_token: refreshToken },
    });
  }

  logout(auth: TenantAuth): Promise<void> {
    return this.tenantCall(auth, 'POST', '/auth/logout');
  }

  me(auth: TenantAuth): Promise<User> {
    return this.tenantCall(auth, 'GET', '/users/me');
  }

  passkeyRegistrationOptions(auth: TenantAuth): Promise<PasskeyCreationOptions> {
    return this.tenantCall(auth, 'POST', '/auth/passkeys/register/options', {});
  }

  verifyPasskeyRegistration(
    auth: TenantAuth,
    credential: PasskeyRegistration,
    nickname: string | null,
  ): Promise<Passkey> {
    const body = nickname ? { credential, nickname } : { credential };
    return this.tenantCall(auth, 'POST', '/auth/passkeys/register/verify', body);
  }

  /** Options for a discoverable-credential sign-in when no email is given. */
  async passkeyLoginOptions(tenant: string, email?: string): Promise<PasskeyLoginCeremony> {
    const body = email ? { email } : {};
    const answer = await this.call<Record<string, unknown>>(
      'POST',
      tenantPath(tenant, '/auth/passkeys/login/options'),
      { body },
    );
    const { ceremony_id: ceremonyId, ...options } = answer;
    return {
      options: options as unknown as PasskeyLoginCeremony['options'],
      ceremonyId: String(ceremonyId ?? ''),
    };
  }

  verifyPasskeyLogin(
    tenant: string,
    credential: PasskeyAssertion,
    ceremonyId: string,
  ): Promise<TokenPair> {
    const body = ceremonyId ? { credential, ceremony_id: ceremonyId } : { credential };
    return this.call('POST', tenantPath(tenant, '/auth/passkeys/login/verify'), { body });
  }

  listPasskeys(auth: TenantAuth): Promise<Passkey[]> {
    return this.tenantCall(auth, 'GET', '/auth/passkeys');
  }

  deletePasskey(auth: TenantAuth, id: string): Promise<void> {
    return this.tenantCall(auth, 'DELETE', `/auth/passkeys/${encodeURIComponent(id)}`);
  }

  listUsers(auth: TenantAuth): Promise<User[]> {
    return this.tenantCall(auth, 'GET', '/users');
  }

  createUser(auth: TenantAuth, body: UserCreate): Promise<User> {
    return this.tenantCall(auth, 'POST', '/users', body);
  }

  updateUser(auth: TenantAuth, id: string, body: UserUpdate): Promise<User> {
    return this.tenantCall(auth, 'PATCH', `/users/${encodeURIComponent(id)}`, body);
  }

  deleteUser(auth: TenantAuth, id: string): Promise<void> {
    return this.tenantCall(auth, 'DELETE', `/users/${encodeURIComponent(id)}`);
  }

  // Plumbing ---------------------------------------------------------------------------
  private tenantCall<T>(
    auth: TenantAuth,
    method: Method,
    path: string,
    body?: unknown,
  ): Promise<T> {
    return this.call(method, tenantPath(auth.tenant, path), { body, token: auth.accessToken });
  }

  private async call<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.fetcher(this.config.url(path), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw ApiError.network();
    }
    if (!response.ok) throw await ApiError.fromResponse(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

export function tenantPath(tenant: string, path: string): string {
  return `/tenants/${encodeURIComponent(tenant)}${path}`;
}
