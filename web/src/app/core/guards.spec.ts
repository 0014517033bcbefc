import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  ActivatedRouteSnapshot,
  Router,
  RouterStateSnapshot,
  UrlTree,
  provideRouter,
} from '@angular/router';

import { adminGuard, globalAdminGuard, signedInGuard, signedOutGuard } from './guards';
import { SessionStore } from './session';

function setup(state: { signedIn: boolean; admin?: boolean; globalAdmin?: boolean }) {
  const session = {
    signedIn: signal(state.signedIn),
    isAdmin: signal(state.admin ?? false),
    globalAdmin: signal(state.globalAdmin ? { email: 'ops@x.test' } : null),
    loadUser: vi.fn(async () => null),
  };
  TestBed.configureTestingModule({
    providers: [provideRouter([]), { provide: SessionStore, useValue: session }],
  });
  return session;
}

async function run(guard: typeof signedInGuard, url = '/users'): Promise<string | boolean> {
  const result = await TestBed.runInInjectionContext(() =>
    guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
  );
  return result instanceof UrlTree
    ? TestBed.inject(Router).serializeUrl(result)
    : (result as boolean);
}

describe('route guards', () => {
  it('send a signed-out visitor to sign-in, remembering where they were going', async () => {
    setup({ signedIn: false });
    expect(await run(signedInGuard, '/passkeys')).toBe('/sign-in?next=%2Fpasskeys');
  });

  it('let a signed-in user through', async () => {
    setup({ signedIn: true });
    expect(await run(signedInGuard)).toBe(true);
  });

  it('keep members out of admin pages', async () => {
    const session = setup({ signedIn: true, admin: false });
    expect(await run(adminGuard)).toBe('/profile');
    expect(session.loadUser).toHaveBeenCalled();
  });

  it('let admins into admin pages', async () => {
    setup({ signedIn: true, admin: true });
    expect(await run(adminGuard)).toBe(true);
  });

  it('send a signed-in user from sign-in to the profile', async () => {
    setup({ signedIn: true });
    expect(await run(signedOutGuard)).toBe('/profile');
  });

  it('guard the global admin page separately', async () => {
    setup({ signedIn: true });
    expect(await run(globalAdminGuard)).toBe('/global-admin/sign-in');
  });
});
