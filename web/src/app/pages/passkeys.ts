import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { DatePipe } from '@angular/common';
import { FormsModule } from '@angular/forms';

import type { Passkey } from '../core/api-types';
import { ApiClient } from '../core/api';
import { PasskeyCancelled, PasskeyCeremonies, passkeyOriginProblem } from '../core/passkeys';
import { plainMessage, toFormErrors } from '../core/problem';
import { SessionStore } from '../core/session';

@Component({
  selector: 'app-passkeys',
  imports: [DatePipe, FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Passkeys</h1>
    <p>A passkey lets you sign in with your device's screen lock instead of a password.</p>
    @if (originProblem; as problem) {
      <p class="error banner" role="note">{{ problem }}</p>
    }
    <form class="card" (ngSubmit)="add()" novalidate>
      <div class="field">
        <label for="passkey-nickname">Nickname <span class="optional">(optional)</span></label>
        <input
          id="passkey-nickname"
          name="nickname"
          maxlength="64"
          [(ngModel)]="nickname"
          aria-describedby="passkey-nickname-hint passkey-add-error"
          [attr.aria-invalid]="addError() ? true : null"
        />
        <p id="passkey-nickname-hint" class="hint">
          For example "Work laptop", to tell passkeys apart.
        </p>
      </div>
      <button type="submit" class="primary" [disabled]="adding()">Add a passkey</button>
      <p id="passkey-add-error" class="error" aria-live="polite">{{ addError() }}</p>
      @if (adding()) {
        <p role="status">Follow your browser's prompt to create the passkey…</p>
      }
      @if (added(); as name) {
        <p role="status" class="success">Passkey "{{ name }}" added.</p>
      }
    </form>

    <h2>Your passkeys</h2>
    @if (loading()) {
      <p role="status">Loading your passkeys…</p>
    } @else if (listError(); as message) {
      <p class="error banner" role="alert">{{ message }}</p>
    } @else if (passkeys().length === 0) {
      <p class="empty">You have no passkeys yet. Add one to sign in without a password.</p>
    } @else {
      <ul class="cards" aria-label="Your passkeys">
        @for (passkey of passkeys(); track passkey.id) {
          <li class="card">
            <h3>{{ label(passkey) }}</h3>
            <dl class="details">
              <dt>Created</dt>
              <dd>{{ passkey.created_at | date: 'medium' }}</dd>
              <dt>Last used</dt>
              <dd>
                {{ passkey.last_used_at ? (passkey.last_used_at | date: 'medium') : 'Never' }}
              </dd>
            </dl>
            <button
              type="button"
              class="danger"
              [attr.aria-label]="'Delete passkey ' + label(passkey)"
              [disabled]="deleting() === passkey.id"
              (click)="remove(passkey)"
            >
              Delete
            </button>
          </li>
        }
      </ul>
    }
  `,
})
export class PasskeysPage {
  private readonly api = inject(ApiClient);
  private readonly session = inject(SessionStore);
  private readonly ceremonies = inject(PasskeyCeremonies);

  nickname = '';
  readonly originProblem = passkeyOriginProblem(window.location);
  readonly passkeys = signal<Passkey[]>([]);
  readonly loading = signal(true);
  readonly listError = signal<string | null>(null);
  readonly adding = signal(false);
  readonly addError = signal('');
  readonly added = signal<string | null>(null);
  readonly deleting = signal<string | null>(null);

  constructor() {
    void this.reload();
  }

  label(passkey: Passkey): string {
    return passkey.nickname || 'Unnamed passkey';
  }

  async add(): Promise<void> {
    if (this.adding()) return;
    this.adding.set(true);
    this.addError.set('');
    this.added.set(null);
    const nickname = this.nickname.trim() || null;
    try {
      const passkey = await this.session.authorized((auth) =>
        this.ceremonies.register(auth, nickname),
      );
      this.added.set(this.label(passkey));
      this.nickname = '';
      await this.reload();
    } catch (error) {
      if (error instanceof PasskeyCancelled) {
        this.addError.set(
          'The passkey was not created: the prompt was cancelled or is not available.',
        );
      } else {
        const errors = toFormErrors(error, { nickname: 'nickname' });
        this.addError.set(errors.fields['nickname'] ?? errors.form ?? plainMessage(error));
      }
    } finally {
      this.adding.set(false);
    }
  }

  async remove(passkey: Passkey): Promise<void> {
    this.deleting.set(passkey.id);
    try {
      await this.session.authorized((auth) => this.api.deletePasskey(auth, passkey.id));
      this.passkeys.update((all) => all.filter((p) => p.id !== passkey.id));
    } catch (error) {
      this.listError.set(plainMessage(error));
    } finally {
      this.deleting.set(null);
    }
  }

  private async reload(): Promise<void> {
    try {
      this.passkeys.set(await this.session.authorized((auth) => this.api.listPasskeys(auth)));
      this.listError.set(null);
    } catch (error) {
      this.listError.set(plainMessage(error));
    } finally {
      this.loading.set(false);
    }
  }
}
