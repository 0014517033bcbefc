import { computed, inject, Injectable, InjectionToken, signal } from '@angular/core';

import { ApiClient } from './api';
import type { TenantAuth, TokenPair, User } from './api-types';
import { PasskeyCeremonies } from './passkeys';
import { ApiError } from './problem';

/** Where sessions survive a page reload: the tab's sessionStorage (gone when the tab closes). */
export const SESSION_STORAGE = new InjectionToken<Storage>('session storage', {
  providedIn: 'root',
  factory: () => sessionStorage,
});

export interface TenantSession {
  tenant: string;
  accessToken: string;
  refreshToken: string;
}

export interface GlobalAdminSession {
  accessToken: string;
  email: string;
  roles: string[];
  expiresAt: number;
}

const TENANT_KEY = 'chalkops.session';
const GLOBAL_KEY = 'chalkops.global-admin';
// Codes after which a refresh token may still get a new access token.
const REFRESHABLE = new Set(['token_expired', 'invalid_token', 'unauthorized']);

/**
 * The application's state, as signals: who is signed in (a tenant user and/or a global admin)
 * and their profile. Components read the signals; only this store writes them.
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly api = inject(ApiClient);
  private readonly passkeys = inject(PasskeyCeremonies);
  private readonly storage = inject(SESSION_STORAGE);

  private readonly tenantSession = signal<TenantSession | null>(
    readJson<TenantSession>(this.storage, TENANT_KEY),
  );
  private readonly profile = signal<User | null>(null);
  private readonly globalSession = signal<GlobalAdminSession | null>(
    readJson<GlobalAdminSession>(this.storage, GLOBAL_KEY),
  );
  private refreshing: Promise<void> | null = null;

  readonly session = this.tenantSession.asReadonly();
  readonly user = this.profile.asReadonly();
  readonly globalAdmin = this.globalSession.asReadonly();
  readonly signedIn = computed(() => this.tenantSession() !== null);
  readonly organization = computed(() => this.tenantSession()?.tenant ?? null);
  readonly isAdmin = computed(() => this.profile()?.roles.includes('admin') ?? false);

  async signInWithPassword(tenant: string, email: string, password: string): Promise<void> {
    const pair = await this.api.login(tenant, { email, password });
    await this.start(tenant, pair);
  }

  async signInWithPasskey(tenant: string): Promise<void> {
    const pair = await this.passkeys.signIn(tenant);
    await this.start(tenant, pair);
  }

  /** The signed-in user's profile, fetched once per session. */
  async loadUser(): Promise<User | null> {
    if (!this.tenantSession()) return null;
    const known = this.profile();
    if (known) return known;
    const user = await this.authorized((auth) => this.api.me(auth));
    this.profile.set(user);
    return user;
  }

  /**
   * Run a tenant API call with the current access token; when the token has expired, rotate
   * the refresh token once and retry. A session that cannot be refreshed is ended.
   */
  async authorized<T>(call: (auth: TenantAuth) => Promise<T>): Promise<T> {
    const auth = this.auth();
    try {
      return await call(auth);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !REFRESHABLE.has(error.code)) {
        throw error;
      }
      await this.refreshOnce(auth);
      return call(this.auth());
    }
  }

  async signOut(): Promise<void> {
    const current = this.tenantSession();
    this.clearTenant();
    if (current) {
      try {
        await this.api.logout({ tenant: current.tenant, accessToken: current.accessToken });
      } catch {
        // The local session is gone either way; an expired token needs no revocation call.
      }
    }
  }

  async signInGlobalAdmin(email: string, password: string): Promise<void> {
    const token = await this.api.globalAdminLogin({ email, password });
    const session: GlobalAdminSession = {
      accessToken: token.access_token,
      email,
      roles: jwtRoles(token.access_token),
      expiresAt: Date.now() + token.expires_in * 1000,
    };
    this.globalSession.set(session);
    this.storage.setItem(GLOBAL_KEY, JSON.stringify(session));
  }

  signOutGlobalAdmin(): void {
    this.globalSession.set(null);
    this.storage.removeItem(GLOBAL_KEY);
  }

  private async start(tenant: string, pair: TokenPair): Promise<void> {
    this.setTenant({ tenant, accessToken: pair.access_token, refreshToken: pair.refresh_token });
    this.profile.set(null);
    await this.loadUser();
  }

  private auth(): TenantAuth {
    const current = this.tenantSession();
    if (!current) throw new ApiError(401, 'unauthorized', 'not signed in');
    return { tenant: current.tenant, accessToken: current.accessToken };
  }

  private refreshOnce(stale: TenantAuth): Promise<void> {
    // Concurrent calls share one rotation: a second use of the same refresh token would be
    // taken as theft and end the whole session.
    this.refreshing ??= this.rotate(stale).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async rotate(stale: TenantAuth): Promise<void> {
    const current = this.tenantSession();
    if (!current) throw new ApiError(401, 'unauthorized', 'not signed in');
    if (current.accessToken !== stale.accessToken) return; // someone already refreshed
    try {
      const pair = await this.api.refresh(current.tenant, current.refreshToken);
      this.setTenant({
        ...current,
        accessToken: pair.access_token,
        refreshToken: pair.refresh_token,
      });
    } catch (error) {
      // Only a refused refresh ends the session: after a network error or a 5xx the tokens may
      // still be good, and signing out would lose a session the server still holds.
      if (error instanceof ApiError && error.status === 401) this.clearTenant();
      throw error;
    }
  }

  private setTenant(session: TenantSession): void {
    this.tenantSession.set(session);
    this.storage.setItem(TENANT_KEY, JSON.stringify(session));
  }

  private clearTenant(): void {
    this.tenantSession.set(null);
    this.profile.set(null);
    this.storage.removeItem(TENANT_KEY);
  }
}

function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** The `roles` claim of a JWT, for display only (the server checks every request itself). */
export function jwtRoles(token: string): string[] {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  } catch {
    return [];
  }
}
