import {
  ChangeDetectionStrategy,
  Component,
  Injector,
  computed,
  inject,
  signal,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';

import { focusFirstInvalid } from '../core/focus';
import { FormErrors, toFormErrors } from '../core/problem';
import { SessionStore } from '../core/session';

const NO_ERRORS: FormErrors = { fields: {}, form: null };

/** Sign-in of a global admin (the central API's password-only login, global audience). */
@Component({
  selector: 'app-global-admin-sign-in',
  imports: [ReactiveFormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Global admin sign-in</h1>
    <p>
      For ChalkOps operators and organization owners. Organization users sign in
      <a routerLink="/sign-in">here</a>.
    </p>
    <form class="card" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <div class="field">
        <label for="global-email">Email</label>
        <input
          id="global-email"
          type="email"
          formControlName="email"
          autocomplete="username"
          aria-describedby="global-email-error"
          [attr.aria-invalid]="errors().fields['email'] ? true : null"
        />
        <p id="global-email-error" class="error" aria-live="polite">
          {{ errors().fields['email'] }}
        </p>
      </div>
      <div class="field">
        <label for="global-password">Password</label>
        <input
          id="global-password"
          type="password"
          formControlName="password"
          autocomplete="current-password"
          aria-describedby="global-password-error"
          [attr.aria-invalid]="errors().fields['password'] ? true : null"
        />
        <p id="global-password-error" class="error" aria-live="polite">
          {{ errors().fields['password'] }}
        </p>
      </div>
      @if (errors().form; as message) {
        <p class="error banner" role="alert">{{ message }}</p>
      }
      <button type="submit" class="primary" [disabled]="busy()">Sign in</button>
      @if (busy()) {
        <p role="status">Signing in…</p>
      }
    </form>
  `,
})
export class GlobalAdminSignInPage {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly injector = inject(Injector);

  readonly form = inject(NonNullableFormBuilder).group({ email: [''], password: [''] });
  readonly busy = signal(false);
  readonly errors = signal<FormErrors>(NO_ERRORS);

  async submit(): Promise<void> {
    const { email, password } = this.form.getRawValue();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing['email'] = 'Enter your email address.';
    if (!password) missing['password'] = 'Enter your password.';
    this.errors.set({ fields: missing, form: null });
    if (Object.keys(missing).length > 0 || this.busy()) {
      focusFirstInvalid(this.injector);
      return;
    }
    this.busy.set(true);
    try {
      await this.session.signInGlobalAdmin(email.trim(), password);
      await this.router.navigateByUrl('/global-admin');
    } catch (error) {
      this.errors.set(
        toFormErrors(
          error,
          { email: 'email', password: 'password' },
          { invalid_credentials: 'password' },
        ),
      );
      focusFirstInvalid(this.injector);
    } finally {
      this.busy.set(false);
    }
  }
}

@Component({
  selector: 'app-global-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Global admin</h1>
    @if (session.globalAdmin(); as admin) {
      <dl class="card details">
        <dt>Email</dt>
        <dd>{{ admin.email }}</dd>
        <dt>Roles</dt>
        <dd>{{ admin.roles.join(', ') || 'none' }}</dd>
        <dt>Session ends</dt>
        <dd>{{ expires() }}</dd>
      </dl>
      <button type="button" (click)="signOut()">Sign out of global admin</button>
    }
  `,
})
export class GlobalAdminPage {
  readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  readonly expires = computed(() => {
    const admin = this.session.globalAdmin();
    return admin ? new Date(admin.expiresAt).toLocaleString() : '';
  });

  async signOut(): Promise<void> {
    this.session.signOutGlobalAdmin();
    await this.router.navigateByUrl('/global-admin/sign-in');
  }
}
