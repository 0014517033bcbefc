import { Routes } from '@angular/router';

import { adminGuard, globalAdminGuard, signedInGuard, signedOutGuard } from './core/guards';

// Paths avoid the API's prefixes (/auth, /tenants, /admin, /regions …): the central API serves
// index.html for every other path so deep links reach the router. Pages load lazily, keeping
// the initial bundle to the shell.
export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'sign-in' },
  {
    path: 'create-organization',
    title: 'Create an organization · ChalkOps',
    canActivate: [signedOutGuard],
    loadComponent: () =>
      import('./pages/create-organization').then((m) => m.CreateOrganizationPage),
  },
  {
    path: 'sign-in',
    title: 'Sign in · ChalkOps',
    canActivate: [signedOutGuard],
    loadComponent: () => import('./pages/sign-in').then((m) => m.SignInPage),
  },
  {
    path: 'profile',
    title: 'Your profile · ChalkOps',
    canActivate: [signedInGuard],
    loadComponent: () => import('./pages/profile').then((m) => m.ProfilePage),
  },
  {
    path: 'passkeys',
    title: 'Passkeys · ChalkOps',
    canActivate: [signedInGuard],
    loadComponent: () => import('./pages/passkeys').then((m) => m.PasskeysPage),
  },
  {
    path: 'users',
    title: 'Users · ChalkOps',
    canActivate: [signedInGuard, adminGuard],
    loadComponent: () => import('./pages/users').then((m) => m.UsersPage),
  },
  {
    path: 'global-admin/sign-in',
    title: 'Global admin sign-in · ChalkOps',
    loadComponent: () => import('./pages/global-admin').then((m) => m.GlobalAdminSignInPage),
  },
  {
    path: 'global-admin',
    title: 'Global admin · ChalkOps',
    canActivate: [globalAdminGuard],
    loadComponent: () => import('./pages/global-admin').then((m) => m.GlobalAdminPage),
  },
  {
    path: '**',
    title: 'Page not found · ChalkOps',
    loadComponent: () => import('./pages/not-found').then((m) => m.NotFoundPage),
  },
];
