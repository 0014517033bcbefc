import { computed, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';

import { App } from './app';
import { SessionStore } from './core/session';

async function render(signedIn: boolean, admin = false) {
  const state = signal(signedIn);
  const session = {
    signedIn: state,
    isAdmin: signal(admin),
    organization: computed(() => (state() ? 'acme' : null)),
    loadUser: vi.fn(async () => null),
    signOut: vi.fn(async () => state.set(false)),
  };
  TestBed.configureTestingModule({
    imports: [App],
    providers: [provideRouter([]), { provide: SessionStore, useValue: session }],
  });
  const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  const fixture = TestBed.createComponent(App);
  await fixture.whenStable();
  return { session, navigate, fixture, element: fixture.nativeElement as HTMLElement };
}

const names = (element: HTMLElement, selector: string) =>
  [...element.querySelectorAll(selector)].map((e) => e.textContent?.trim());

describe('App shell', () => {
  it('offers sign-in and a new organization when signed out', async () => {
    const { element } = await render(false);
    expect(names(element, 'nav a')).toEqual(['Sign in', 'New organization']);
    expect(names(element, 'nav button')).toEqual([]);
  });

  it('shows the pages of a signed-in admin and a sign-out button', async () => {
    const { element } = await render(true, true);
    expect(names(element, 'nav a')).toEqual(['Profile', 'Passkeys', 'Users']);
    expect(names(element, 'nav button')).toEqual(['Sign out']);
  });

  it('hides the users page from members', async () => {
    const { element } = await render(true, false);
    expect(names(element, 'nav a')).toEqual(['Profile', 'Passkeys']);
  });

  it('signs out and goes to sign-in', async () => {
    const { element, session, navigate, fixture } = await render(true);
    element.querySelector<HTMLButtonElement>('nav button')!.click();
    await fixture.whenStable();
    expect(session.signOut).toHaveBeenCalled();
    expect(navigate).toHaveBeenCalledWith('/sign-in');
  });
});
