import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';

import { SessionStore } from './session';

/** Pages of a tenant user: without a session, go to sign-in and come back afterwards. */
export const signedInGuard: CanActivateFn = (_route, state) => {
  const session = inject(SessionStore);
  if (session.signedIn()) return true;
  return inject(Router).createUrlTree(['/sign-in'], { queryParams: { next: state.url } });
};

/** Admin pages: the profile says whether the user is an admin (the API checks again). */
export const adminGuard: CanActivateFn = async () => {
  const session = inject(SessionStore);
  const router = inject(Router);
  if (!session.signedIn()) return router.createUrlTree(['/sign-in']);
  try {
    await session.loadUser();
  } catch {
    return router.createUrlTree(['/sign-in']);
  }
  return session.isAdmin() ? true : router.createUrlTree(['/profile']);
};

/** Pages for an already signed-out visitor (sign-in, create organization) when signed in. */
export const signedOutGuard: CanActivateFn = () => {
  const session = inject(SessionStore);
  return session.signedIn() ? inject(Router).createUrlTree(['/profile']) : true;
};

export const globalAdminGuard: CanActivateFn = () => {
  const session = inject(SessionStore);
  return session.globalAdmin() ? true : inject(Router).createUrlTree(['/global-admin/sign-in']);
};
