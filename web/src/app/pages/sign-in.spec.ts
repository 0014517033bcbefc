import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';

import { ApiError } from '../core/problem';
import { SessionStore } from '../core/session';
import { SignInPage } from './sign-in';

async function render() {
  const session = {
    signInWithPassword: vi.fn(async () => undefined),
    signInWithPasskey: vi.fn(async () => undefined),
  };
  TestBed.configureTestingModule({
    imports: [SignInPage],
    providers: [provideRouter([]), { provide: SessionStore, useValue: session }],
  });
  const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
  const fixture = TestBed.createComponent(SignInPage);
  await fixture.whenStable();
  const element = fixture.nativeElement as HTMLElement;
  const type = async (id: string, value: string) => {
    const input = element.querySelector<HTMLInputElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  };
  const button = async (name: string) => {
    const found = [...element.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === name,
    );
    found!.click();
    await fixture.whenStable();
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  };
  const text = (id: string) => element.querySelector(`#${id}`)?.textContent?.trim() ?? '';
  return { session, navigate, element, type, button, text };
}

describe('SignInPage', () => {
  beforeEach(() => localStorage.clear());

  it('signs in with a passkey from the organization alone', async () => {
    const { session, navigate, type, button } = await render();
    await type('signin-organization', 'acme');
    await button('Sign in with a passkey');
    expect(session.signInWithPasskey).toHaveBeenCalledWith('acme');
    expect(navigate).toHaveBeenCalledWith('/profile');
  });

  it('asks for the organization before a passkey sign-in', async () => {
    const { session, button, text } = await render();
    await button('Sign in with a passkey');
    expect(session.signInWithPasskey).not.toHaveBeenCalled();
    expect(text('signin-organization-error')).toContain('Enter a name');
  });

  it('puts a wrong password next to the password field', async () => {
    const { session, type, button, text } = await render();
    session.signInWithPassword.mockRejectedValueOnce(
      new ApiError(401, 'invalid_credentials', 'the email or password is wrong'),
    );
    await type('signin-organization', 'acme');
    await type('signin-email', 'a@acme.test');
    await type('signin-password', 'nope');
    await button('Sign in');
    expect(session.signInWithPassword).toHaveBeenCalledWith('acme', 'a@acme.test', 'nope');
    expect(text('signin-password-error')).toBe('The email or password is not right.');
  });

  it('says how long a locked account must wait', async () => {
    const { session, type, button, element } = await render();
    session.signInWithPassword.mockRejectedValueOnce(
      new ApiError(429, 'account_locked', 'locked', [], 8),
    );
    await type('signin-organization', 'acme');
    await type('signin-email', 'a@acme.test');
    await type('signin-password', 'nope');
    await button('Sign in');
    expect(element.querySelector('[role="alert"]')?.textContent).toContain(
      'Too many failed sign-ins for this account. Try again in 8 seconds.',
    );
  });
});
