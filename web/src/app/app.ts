import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  Injector,
  afterNextRender,
  inject,
} from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { SessionStore } from './core/session';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.html',
})
export class App {
  readonly session = inject(SessionStore);
  private readonly router = inject(Router);

  constructor() {
    if (this.session.signedIn()) {
      // A reload keeps the session (sessionStorage); the profile decides the admin links.
      this.session.loadUser().catch(() => undefined);
    }
    const injector = inject(Injector);
    const subscription = this.router.events.subscribe((event) => {
      // After each navigation (not the first page load), move focus to the new page's heading
      // so keyboard and screen reader users start at the top of what changed.
      if (event instanceof NavigationEnd && event.id > 1) {
        afterNextRender(() => document.querySelector<HTMLElement>('main h1')?.focus(), {
          injector,
        });
      }
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }

  async signOut(): Promise<void> {
    await this.session.signOut();
    await this.router.navigateByUrl('/sign-in');
  }
}
