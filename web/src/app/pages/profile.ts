import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';

import { plainMessage } from '../core/problem';
import { SessionStore } from '../core/session';

@Component({
  selector: 'app-profile',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Your profile</h1>
    @if (error(); as message) {
      <p class="error banner" role="alert">{{ message }}</p>
    } @else if (session.user(); as user) {
      <dl class="card details">
        <dt>Email</dt>
        <dd>{{ user.email }}</dd>
        <dt>Name</dt>
        <dd>{{ user.display_name || 'Not set' }}</dd>
        <dt>Organization</dt>
        <dd>{{ session.organization() }}</dd>
        <dt>Roles</dt>
        <dd>{{ user.roles.join(', ') }}</dd>
        <dt>Last sign-in</dt>
        <dd>{{ user.last_login_at ? (user.last_login_at | date: 'medium') : 'Never' }}</dd>
      </dl>
    } @else {
      <p role="status">Loading your profile…</p>
    }
  `,
})
export class ProfilePage {
  readonly session = inject(SessionStore);
  readonly error = signal<string | null>(null);

  constructor() {
    this.session.loadUser().catch((error: unknown) => this.error.set(plainMessage(error)));
  }
}
