import { ChangeDetectionStrategy, Component, Injector, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';

import { ApiClient } from '../core/api';
import type { Role, User } from '../core/api-types';
import { focusFirstInvalid } from '../core/focus';
import { FormErrors, plainMessage, toFormErrors } from '../core/problem';
import { SessionStore } from '../core/session';

const NO_ERRORS: FormErrors = { fields: {}, form: null };

/** An organization's users, for its admins: list, create, change role, remove. */
@Component({
  selector: 'app-users',
  imports: [DatePipe, ReactiveFormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Users</h1>

    <h2>Add a user</h2>
    <form class="card" [formGroup]="form" (ngSubmit)="create()" novalidate>
      <div class="field">
        <label for="new-user-email">Email</label>
        <input
          id="new-user-email"
          type="email"
          formControlName="email"
          autocomplete="off"
          aria-describedby="new-user-email-error"
          [attr.aria-invalid]="errors().fields['email'] ? true : null"
        />
        <p id="new-user-email-error" class="error" aria-live="polite">
          {{ errors().fields['email'] }}
        </p>
      </div>
      <div class="field">
        <label for="new-user-password">Password</label>
        <input
          id="new-user-password"
          type="password"
          formControlName="password"
          autocomplete="new-password"
          aria-describedby="new-user-password-error"
          [attr.aria-invalid]="errors().fields['password'] ? true : null"
        />
        <p id="new-user-password-error" class="error" aria-live="polite">
          {{ errors().fields['password'] }}
        </p>
      </div>
      <div class="field">
        <label for="new-user-name">Name <span class="optional">(optional)</span></label>
        <input id="new-user-name" formControlName="displayName" autocomplete="off" />
      </div>
      <div class="field">
        <label for="new-user-role">Role</label>
        <select id="new-user-role" formControlName="role">
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>
      </div>
      @if (errors().form; as message) {
        <p class="error banner" role="alert">{{ message }}</p>
      }
      <button type="submit" class="primary" [disabled]="creating()">Add user</button>
      @if (created(); as email) {
        <p role="status" class="success">{{ email }} can now sign in.</p>
      }
    </form>

    <h2>Everyone in your organization</h2>
    @if (notice(); as message) {
      <p class="error banner" role="alert">{{ message }}</p>
    }
    @if (loading()) {
      <p role="status">Loading users…</p>
    } @else if (users().length === 0) {
      <p class="empty">No users yet.</p>
    } @else {
      <ul class="cards" aria-label="Users">
        @for (user of users(); track user.id) {
          <li class="card">
            <h3>{{ user.email }}</h3>
            <dl class="details">
              <dt>Name</dt>
              <dd>{{ user.display_name || 'Not set' }}</dd>
              <dt>Added</dt>
              <dd>{{ user.created_at ? (user.created_at | date: 'mediumDate') : 'Unknown' }}</dd>
            </dl>
            <div class="field inline">
              <label [for]="'role-' + user.id">Role</label>
              <select
                [id]="'role-' + user.id"
                [value]="roleOf(user)"
                [disabled]="saving() === user.id"
                (change)="changeRole(user, $any($event.target))"
              >
                <option value="member">Member</option>
                <option value="admin">Admin</option>
              </select>
            </div>
            @if (confirming() === user.id) {
              <p>Remove {{ user.email }}? They will no longer be able to sign in.</p>
              <div class="actions">
                <button type="button" class="danger" (click)="remove(user)">Yes, remove</button>
                <button type="button" (click)="confirming.set(null)">Cancel</button>
              </div>
            } @else {
              <button
                type="button"
                class="danger"
                [attr.aria-label]="'Remove ' + user.email"
                [disabled]="user.id === session.user()?.id"
                (click)="confirming.set(user.id)"
              >
                Remove
              </button>
            }
          </li>
        }
      </ul>
    }
  `,
})
export class UsersPage {
  private readonly api = inject(ApiClient);
  readonly session = inject(SessionStore);
  private readonly injector = inject(Injector);

  readonly form = inject(NonNullableFormBuilder).group({
    email: [''],
    password: [''],
    displayName: [''],
    role: ['member' as Role],
  });
  readonly users = signal<User[]>([]);
  readonly loading = signal(true);
  readonly notice = signal<string | null>(null);
  readonly errors = signal<FormErrors>(NO_ERRORS);
  readonly creating = signal(false);
  readonly created = signal<string | null>(null);
  readonly saving = signal<string | null>(null);
  readonly confirming = signal<string | null>(null);

  constructor() {
    void this.reload();
  }

  roleOf(user: User): Role {
    return user.roles.includes('admin') ? 'admin' : 'member';
  }

  async create(): Promise<void> {
    const value = this.form.getRawValue();
    const missing: Record<string, string> = {};
    if (!value.email.trim()) missing['email'] = "Enter the new user's email address.";
    if (value.password.length < 8) missing['password'] = 'Use at least 8 characters.';
    this.errors.set({ fields: missing, form: null });
    this.created.set(null);
    if (Object.keys(missing).length > 0 || this.creating()) {
      focusFirstInvalid(this.injector);
      return;
    }
    this.creating.set(true);
    try {
      const user = await this.session.authorized((auth) =>
        this.api.createUser(auth, {
          email: value.email.trim(),
          password: value.password,
          display_name: value.displayName.trim() || undefined,
          roles: [value.role],
        }),
      );
      this.users.update((all) => [...all, user]);
      this.created.set(user.email);
      this.form.reset();
    } catch (error) {
      this.errors.set(
        toFormErrors(
          error,
          { email: 'email', password: 'password', display_name: 'displayName' },
          { email_taken: 'email' },
        ),
      );
      focusFirstInvalid(this.injector);
    } finally {
      this.creating.set(false);
    }
  }

  async changeRole(user: User, select: HTMLSelectElement): Promise<void> {
    const role = select.value as Role;
    this.saving.set(user.id);
    this.notice.set(null);
    try {
      const updated = await this.session.authorized((auth) =>
        this.api.updateUser(auth, user.id, { roles: [role] }),
      );
      this.users.update((all) => all.map((u) => (u.id === updated.id ? updated : u)));
    } catch (error) {
      this.notice.set(plainMessage(error));
      // Put the select back to what the server still has (the bound value never changed, so
      // Angular would not touch the element).
      select.value = this.roleOf(user);
    } finally {
      this.saving.set(null);
    }
  }

  async remove(user: User): Promise<void> {
    this.confirming.set(null);
    this.notice.set(null);
    try {
      await this.session.authorized((auth) => this.api.deleteUser(auth, user.id));
      this.users.update((all) => all.filter((u) => u.id !== user.id));
    } catch (error) {
      this.notice.set(plainMessage(error));
    }
  }

  private async reload(): Promise<void> {
    try {
      this.users.set(await this.session.authorized((auth) => this.api.listUsers(auth)));
    } catch (error) {
      this.notice.set(plainMessage(error));
    } finally {
      this.loading.set(false);
    }
  }
}
