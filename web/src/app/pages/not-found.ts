import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-not-found',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 tabindex="-1">Page not found</h1>
    <p>There is nothing at this address. <a routerLink="/sign-in">Go to sign-in</a>.</p>
  `,
})
export class NotFoundPage {}
