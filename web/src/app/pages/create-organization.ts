import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  Injector,
  computed,
  inject,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';

import { ApiClient } from '../core/api';
import type { Region, Tenant } from '../core/api-types';
import { focusFirstInvalid } from '../core/focus';
import { FormErrors, toFormErrors } from '../core/problem';
import { organizationNameValidator, passwordStrength } from '../core/validation';

const POLL_LIMIT = 120;
const NO_ERRORS: FormErrors = { fields: {}, form: null };

@Component({
  selector: 'app-create-organization',
  imports: [ReactiveFormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Create an organization</h1>
    @if (tenant(); as created) {
      <section class="card" aria-labelledby="progress-title">
        <h2 id="progress-title">Setting up {{ created.tenant_name }}</h2>
        <ol class="steps" role="status" aria-live="polite">
          <li class="done">Organization registered</li>
          @switch (created.status) {
            @case ('active') {
              <li class="done">Database and admin account ready in {{ created.region }}</li>
            }
            @case ('failed') {
              <li class="failed">
                Setting up the region failed: {{ created.status_reason || 'unknown reason' }}
              </li>
            }
            @default {
              <li class="busy">
                Preparing the database and admin account in {{ created.region }}…
              </li>
            }
          }
        </ol>
        @if (created.status === 'active') {
          <p>Your organization is ready.</p>
          <a
            class="button"
            routerLink="/sign-in"
            [queryParams]="{ organization: created.tenant_name }"
          >
            Continue to sign in
          </a>
        } @else if (created.status === 'failed') {
          <p class="error">Please try again later or contact support.</p>
        } @else if (pollGaveUp()) {
          <p class="error">
            This is taking longer than usual. Check again later from the sign-in page.
          </p>
        } @else {
          <progress aria-label="Provisioning progress"></progress>
        }
      </section>
    } @else {
      <form class="card" [formGroup]="form" (ngSubmit)="submit()" novalidate>
        <div class="field">
          <label for="org-name">Organization</label>
          <input
            id="org-name"
            formControlName="name"
            autocomplete="organization"
            autocapitalize="none"
            spellcheck="false"
            aria-describedby="org-name-hint org-name-error"
            [attr.aria-invalid]="nameError() ? true : null"
          />
          <p id="org-name-hint" class="hint">
            Lowercase letters, digits and hyphens; 3 to 63 characters, starting with a letter.
          </p>
          <p id="org-name-error" class="error" aria-live="polite">{{ nameError() }}</p>
        </div>

        <div class="field">
          <label for="org-region">Region</label>
          <select
            id="org-region"
            formControlName="region"
            aria-describedby="org-region-error"
            [attr.aria-invalid]="fieldError('region') ? true : null"
          >
            @if (regionsLoading()) {
              <option value="" disabled>Loading regions…</option>
            } @else {
              <option value="" disabled>Choose a region</option>
            }
            @for (region of regions(); track region.code) {
              <option [value]="region.code">{{ region.name }} ({{ region.code }})</option>
            }
          </select>
          <p id="org-region-error" class="error" aria-live="polite">{{ fieldError('region') }}</p>
        </div>

        <div class="field">
          <label for="org-email">Email</label>
          <input
            id="org-email"
            type="email"
            formControlName="email"
            autocomplete="email"
            aria-describedby="org-email-hint org-email-error"
            [attr.aria-invalid]="fieldError('email') ? true : null"
          />
          <p id="org-email-hint" class="hint">You become the organization's first admin.</p>
          <p id="org-email-error" class="error" aria-live="polite">{{ fieldError('email') }}</p>
        </div>

        <div class="field">
          <label for="org-password">Password</label>
          <input
            id="org-password"
            type="password"
            formControlName="password"
            autocomplete="new-password"
            aria-describedby="org-password-hint org-password-error"
            [attr.aria-invalid]="fieldError('password') ? true : null"
          />
          <p
            id="org-password-hint"
            class="hint strength"
            [attr.data-strength]="strength().strength"
          >
            {{ strength().text }}
          </p>
          <p id="org-password-error" class="error" aria-live="polite">
            {{ fieldError('password') }}
          </p>
        </div>

        @if (errors().form; as message) {
          <p class="error banner" role="alert">{{ message }}</p>
        }
        <button type="submit" class="primary" [disabled]="busy()">Create organization</button>
        @if (busy()) {
          <p role="status">Creating your organization…</p>
        }
      </form>
      <p>Already have an organization? <a routerLink="/sign-in">Sign in</a></p>
    }
  `,
})
export class CreateOrganizationPage {
  private readonly api = inject(ApiClient);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private destroyed = false;

  readonly form = inject(NonNullableFormBuilder).group({
    name: ['', organizationNameValidator],
    region: ['', Validators.required],
    email: ['', [Validators.required, Validators.email]],
    password: ['', [Validators.required, Validators.minLength(8)]],
  });

  readonly regions = signal<Region[]>([]);
  readonly regionsLoading = signal(true);
  readonly busy = signal(false);
  readonly submitted = signal(false);
  readonly errors = signal<FormErrors>(NO_ERRORS);
  readonly tenant = signal<Tenant | null>(null);
  readonly pollGaveUp = signal(false);
  /** How often provisioning progress is asked for (GET /tenants/{name}). */
  pollIntervalMs = 1000;

  private readonly values = toSignal(this.form.valueChanges, {
    initialValue: this.form.getRawValue(),
  });
  private readonly statusTick = toSignal(this.form.statusChanges, {
    initialValue: this.form.status,
  });
  readonly strength = computed(() => passwordStrength(this.values().password ?? ''));

  /** The name's rule is checked as the person types; the server's answer wins when there is one. */
  readonly nameError = computed(() => {
    this.values();
    this.statusTick();
    const control = this.form.controls.name;
    const local = control.errors?.['organization'] as string | undefined;
    const shown = control.dirty || control.touched || this.submitted();
    return (shown && local) || this.errors().fields['name'] || '';
  });

  constructor() {
    this.destroyRef.onDestroy(() => (this.destroyed = true));
    // A server's verdict on a field (e.g. "taken") no longer holds once the field changes.
    for (const [field, control] of Object.entries(this.form.controls)) {
      control.valueChanges
        .pipe(takeUntilDestroyed())
        .subscribe(() => this.errors.update((errors) => withoutField(errors, field)));
    }
    void this.loadRegions();
  }

  fieldError(field: 'region' | 'email' | 'password'): string {
    const server = this.errors().fields[field];
    if (server) return server;
    const control = this.form.controls[field];
    if (!this.submitted() || control.valid) return '';
    return {
      region: 'Choose a region.',
      email: 'Enter a valid email address, like name@example.com.',
      password: 'Use at least 8 characters.',
    }[field];
  }

  async submit(): Promise<void> {
    this.submitted.set(true);
    this.errors.set(NO_ERRORS);
    this.form.markAllAsTouched();
    if (this.form.invalid || this.busy()) {
      this.focusFirstInvalid();
      return;
    }
    const value = this.form.getRawValue();
    this.busy.set(true);
    try {
      const tenant = await this.api.register({
        tenant_name: value.name,
        region: value.region,
        admin_email: value.email,
        admin_password: value.password,
      });
      this.tenant.set(tenant);
      void this.pollUntilSettled(tenant.tenant_name);
    } catch (error) {
      this.errors.set(
        toFormErrors(
          error,
          {
            tenant_name: 'name',
            region: 'region',
            admin_email: 'email',
            admin_password: 'password',
          },
          { tenant_name_taken: 'name' },
        ),
      );
      this.focusFirstInvalid();
    } finally {
      this.busy.set(false);
    }
  }

  private async loadRegions(): Promise<void> {
    try {
      const regions = await this.api.regions();
      this.regions.set(regions);
      if (regions.length === 1) this.form.controls.region.setValue(regions[0].code);
    } catch (error) {
      this.errors.set(toFormErrors(error, {}));
    } finally {
      this.regionsLoading.set(false);
    }
  }

  private async pollUntilSettled(name: string): Promise<void> {
    for (let attempt = 0; attempt < POLL_LIMIT; attempt++) {
      const current = this.tenant();
      if (this.destroyed || !current || current.status !== 'provisioning') return;
      await delay(this.pollIntervalMs);
      try {
        this.tenant.set(await this.api.tenant(name));
      } catch {
        // A blip while polling: the next round asks again.
      }
    }
    this.pollGaveUp.set(true);
  }

  private focusFirstInvalid(): void {
    focusFirstInvalid(this.injector);
  }
}

function withoutField(errors: FormErrors, field: string): FormErrors {
  if (!(field in errors.fields)) return errors;
  const fields = { ...errors.fields };
  delete fields[field];
  return { ...errors, fields };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
