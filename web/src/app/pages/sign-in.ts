import { ChangeDetectionStrategy, Component, Injector, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';

import { focusFirstInvalid } from '../core/focus';
import { PasskeyCancelled, passkeyOriginProblem } from '../core/passkeys';
import { FormErrors, plainMessage, toFormErrors } from '../core/problem';
import { SessionStore } from '../core/session';
import { organizationNameProblem } from '../core/validation';

const LAST_ORGANIZATION_KEY = 'chalkops.last-organization';
const NO_ERRORS: FormErrors = { fields: {}, form: null };
const FIELD_MAP = { email: 'email', password: 'password' };
const CODE_FIELDS = {
  tenant_not_found: 'organization',
  tenant_not_active: 'organization',
  invalid_credentials: 'password',
};

@Component({
  selector: 'app-sign-in',
  imports: [ReactiveFormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Sign in</h1>
    <form class="card" [formGroup]="form" (ngSubmit)="signInWithPassword()" novalidate>
      <div class="field">
        <label for="signin-organization">Organization</label>
        <input
          id="signin-organization"
          formControlName="organization"
          autocomplete="organization"
          autocapitalize="none"
          spellcheck="false"
          aria-describedby="signin-organization-error"
          [attr.aria-invalid]="errors().fields['organization'] ? true : null"
        />
        <p id="signin-organization-error" class="error" aria-live="polite">
          {{ errors().fields['organization'] }}
        </p>
      </div>

      <div class="field">
        <label for="signin-email">Email</label>
        <input
          id="signin-email"
          type="email"
          formControlName="email"
          autocomplete="username webauthn"
          aria-describedby="signin-email-error"
          [attr.aria-invalid]="errors().fields['email'] ? true : null"
        />
        <p id="signin-email-error" class="error" aria-live="polite">
          {{ errors().fields['email'] }}
        </p>
      </div>

      <div class="field">
        <label for="signin-password">Password</label>
        <input
          id="signin-password"
          type="password"
          formControlName="password"
          autocomplete="current-password"
          aria-describedby="signin-password-error"
          [attr.aria-invalid]="errors().fields['password'] ? true : null"
        />
        <p id="signin-password-error" class="error" aria-live="polite">
          {{ errors().fields['password'] }}
        </p>
      </div>

      @if (errors().form; as message) {
        <p class="error banner" role="alert">{{ message }}</p>
      }
      <div class="actions">
        <button type="submit" class="primary" [disabled]="busy()">Sign in</button>
        <button type="button" (click)="signInWithPasskey()" [disabled]="busy()">
          Sign in with a passkey
        </button>
      </div>
      <p class="hint">A passkey needs only the organization: your device knows the account.</p>
      @if (originProblem; as problem) {
        <p class="hint" role="note">{{ problem }}</p>
      }
      @if (busy()) {
        <p role="status">Signing in…</p>
      }
    </form>
    <p>New to ChalkOps? <a routerLink="/create-organization">Create an organization</a></p>
    <p><a routerLink="/global-admin/sign-in">Global admin sign-in</a></p>
  `,
})
export class SignInPage {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly injector = inject(Injector);

  readonly form = inject(NonNullableFormBuilder).group({
    organization: [this.initialOrganization()],
    email: [''],
    password: [''],
  });
  readonly busy = signal(false);
  readonly originProblem = passkeyOriginProblem(window.location);
  readonly errors = signal<FormErrors>(NO_ERRORS);

  async signInWithPassword(): Promise<void> {
    const { organization, email, password } = this.form.getRawValue();
    const missing: Record<string, string> = {};
    const orgProblem = organizationNameProblem(organization.trim());
    if (orgProblem) missing['organization'] = orgProblem;
    if (!email.trim()) missing['email'] = 'Enter your email address.';
    if (!password) missing['password'] = 'Enter your password.';
    if (!this.check(missing)) return;
    await this.attempt(() =>
      this.session.signInWithPassword(organization.trim(), email.trim(), password),
    );
  }

  /** Only the organization is needed: the authenticator offers its discoverable credentials. */
  async signInWithPasskey(): Promise<void> {
    const organization = this.form.controls.organization.value.trim();
    const orgProblem = organizationNameProblem(organization);
    if (!this.check(orgProblem ? { organization: orgProblem } : {})) return;
    await this.attempt(() => this.session.signInWithPasskey(organization));
  }

  private check(problems: Record<string, string>): boolean {
    this.errors.set({ fields: problems, form: null });
    if (Object.keys(problems).length === 0) return true;
    focusFirstInvalid(this.injector);
    return false;
  }

  private async attempt(signIn: () => Promise<void>): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    try {
      await signIn();
      localStorage.setItem(LAST_ORGANIZATION_KEY, this.form.controls.organization.value.trim());
      const next = this.route.snapshot.queryParamMap.get('next');
      // Only a path inside this app: never an absolute or protocol-relative URL.
      const safe = next?.startsWith('/') && !next.startsWith('//') ? next : '/profile';
      await this.router.navigateByUrl(safe);
    } catch (error) {
      this.errors.set(
        error instanceof PasskeyCancelled
          ? {
              fields: {},
              form: 'The passkey sign-in was cancelled or is not available on this device.',
            }
          : toFormErrors(error, FIELD_MAP, CODE_FIELDS),
      );
      if (!this.errors().form && Object.keys(this.errors().fields).length === 0) {
        this.errors.set({ fields: {}, form: plainMessage(error) });
      }
      focusFirstInvalid(this.injector);
    } finally {
      this.busy.set(false);
    }
  }

  private initialOrganization(): string {
    return (
      this.route.snapshot.queryParamMap.get('organization') ??
      localStorage.getItem(LAST_ORGANIZATION_KEY) ??
      ''
    );
  }
}
