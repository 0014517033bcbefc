import { TestBed } from '@angular/core/testing';

import { ApiClient } from './api';
import type { TenantAuth, TokenPair, User } from './api-types';
import { PasskeyCeremonies } from './passkeys';
import { ApiError } from './problem';
import { SESSION_STORAGE, SessionStore, jwtRoles } from './session';

const ADMIN: User = {
  id: 'u1',
  email: 'a@acme.test',
  display_name: null,
  roles: ['admin'],
  tenant_id: 't1',
};

function pair(n: number): TokenPair {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: 'Bearer',
    expires_in: 900,
  };
}

class FakeApi {
  seenTokens: string[] = [];
  refreshes = 0;
  expireNext = false;
  login = vi.fn(async () => pair(1));
  logout = vi.fn(async () => undefined);
  refresh = vi.fn(async () => {
    this.refreshes++;
    return pair(1 + this.refreshes);
  });
  me = vi.fn(async (auth: TenantAuth) => {
    this.seenTokens.push(auth.accessToken);
    if (this.expireNext) {
      this.expireNext = false;
      throw new ApiError(401, 'token_expired', 'expired');
    }
    return ADMIN;
  });
}

function setup(storage: Storage = new MemoryStorage()) {
  const api = new FakeApi();
  const passkeys = { signIn: vi.fn(async () => pair(9)) };
  TestBed.configureTestingModule({
    providers: [
      { provide: ApiClient, useValue: api },
      { provide: PasskeyCeremonies, useValue: passkeys },
      { provide: SESSION_STORAGE, useValue: storage },
    ],
  });
  return { store: TestBed.inject(SessionStore), api, passkeys, storage };
}

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('SessionStore', () => {
  it('signs in with a password and loads the profile', async () => {
    const { store, api } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    expect(api.login).toHaveBeenCalledWith('acme', { email: 'a@acme.test', password: 'pw' });
    expect(store.signedIn()).toBe(true);
    expect(store.organization()).toBe('acme');
    expect(store.isAdmin()).toBe(true);
  });

  it('signs in with a passkey from the organization alone', async () => {
    const { store, passkeys } = setup();
    await store.signInWithPasskey('acme');
    expect(passkeys.signIn).toHaveBeenCalledWith('acme');
    expect(store.session()?.accessToken).toBe('access-9');
  });

  it('keeps the session across a reload of the page', async () => {
    const storage = new MemoryStorage();
    await setup(storage).store.signInWithPassword('acme', 'a@acme.test', 'pw');
    TestBed.resetTestingModule();
    const { store } = setup(storage);
    expect(store.session()?.tenant).toBe('acme');
  });

  it('refreshes an expired access token once and retries', async () => {
    const { store, api } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    api.expireNext = true;
    await store.authorized((auth) => api.me(auth));
    expect(api.refresh).toHaveBeenCalledWith('acme', 'refresh-1');
    expect(api.seenTokens.slice(-2)).toEqual(['access-1', 'access-2']);
    expect(store.session()?.refreshToken).toBe('refresh-2');
  });

  it('shares one refresh between concurrent calls (a reused refresh token ends the session)', async () => {
    const { store, api } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    const expired = new ApiError(401, 'token_expired', 'expired');
    let calls = 0;
    const call = (auth: TenantAuth) =>
      auth.accessToken === 'access-1' && ++calls <= 2
        ? Promise.reject(expired)
        : Promise.resolve(auth.accessToken);
    const results = await Promise.all([store.authorized(call), store.authorized(call)]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(results).toEqual(['access-2', 'access-2']);
  });

  it('ends the session when the refresh is refused', async () => {
    const { store, api } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    api.refresh.mockRejectedValueOnce(new ApiError(401, 'refresh_token_reused', 'reused'));
    api.expireNext = true;
    await expect(store.authorized((auth) => api.me(auth))).rejects.toBeInstanceOf(ApiError);
    expect(store.signedIn()).toBe(false);
  });

  it('keeps the session when the refresh fails for a reason other than a refusal', async () => {
    const { store, api } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    api.refresh.mockRejectedValueOnce(ApiError.network());
    api.expireNext = true;
    await expect(store.authorized((auth) => api.me(auth))).rejects.toBeInstanceOf(ApiError);
    expect(store.signedIn()).toBe(true);
    expect(store.session()?.refreshToken).toBe('refresh-1');
  });

  it('does not retry errors other than an expired token', async () => {
    const { store, api } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    const forbidden = new ApiError(403, 'forbidden', 'no');
    await expect(store.authorized(() => Promise.reject(forbidden))).rejects.toBe(forbidden);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('signs out locally even when the server call fails', async () => {
    const { store, api, storage } = setup();
    await store.signInWithPassword('acme', 'a@acme.test', 'pw');
    api.logout.mockRejectedValueOnce(ApiError.network());
    await store.signOut();
    expect(api.logout).toHaveBeenCalledWith({ tenant: 'acme', accessToken: 'access-1' });
    expect(store.signedIn()).toBe(false);
    expect(store.user()).toBeNull();
    expect(storage.length).toBe(0);
  });
});

describe('jwtRoles', () => {
  it('reads the roles claim and tolerates garbage', () => {
    const payload = btoa(JSON.stringify({ roles: ['operator'] })).replace(/=+$/, '');
    expect(jwtRoles(`h.${payload}.s`)).toEqual(['operator']);
    expect(jwtRoles('not a jwt')).toEqual([]);
  });
});
