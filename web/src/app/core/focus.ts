import { afterNextRender, Injector } from '@angular/core';

/** After the next render, move focus to the first field marked invalid (keyboard users land on it). */
export function focusFirstInvalid(injector: Injector, scope = 'main'): void {
  afterNextRender(
    () => document.querySelector<HTMLElement>(`${scope} [aria-invalid="true"]`)?.focus(),
    { injector },
  );
}
