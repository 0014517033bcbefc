import { TestBed } from '@angular/core/testing';

import { ApiClient } from './api';
import { PasskeyCancelled, PasskeyCeremonies, WEBAUTHN, passkeyOriginProblem } from './passkeys';

function setup(browser: { startRegistration?: unknown; startAuthentication?: unknown }) {
  const api = {
    passkeyRegistrationOptions: vi.fn(async () => ({ challenge: 'reg-challenge' })),
    verifyPasskeyRegistration: vi.fn(async () => ({ id: 'p1', nickname: 'Laptop' })),
    passkeyLoginOptions: vi.fn(async () => ({
      options: { challenge: 'login-challenge', allowCredentials: [] },
      ceremonyId: 'c-1',
    })),
    verifyPasskeyLogin: vi.fn(async () => ({ access_token: 'a', refresh_token: 'r' })),
  };
  TestBed.configureTestingModule({
    providers: [
      { provide: ApiClient, useValue: api },
      { provide: WEBAUTHN, useValue: browser },
    ],
  });
  return { api, ceremonies: TestBed.inject(PasskeyCeremonies) };
}

const auth = { tenant: 'acme', accessToken: 't' };

describe('PasskeyCeremonies', () => {
  it('registers: options from the API, the authenticator, then verification with the nickname', async () => {
    const startRegistration = vi.fn(async () => ({ id: 'cred' }));
    const { api, ceremonies } = setup({ startRegistration });
    await ceremonies.register(auth, 'Laptop');
    expect(startRegistration).toHaveBeenCalledWith({ optionsJSON: { challenge: 'reg-challenge' } });
    expect(api.verifyPasskeyRegistration).toHaveBeenCalledWith(auth, { id: 'cred' }, 'Laptop');
  });

  it('signs in without an email and sends the ceremony id back', async () => {
    const startAuthentication = vi.fn(async () => ({ id: 'cred' }));
    const { api, ceremonies } = setup({ startAuthentication });
    await ceremonies.signIn('acme');
    expect(api.passkeyLoginOptions).toHaveBeenCalledWith('acme');
    expect(startAuthentication).toHaveBeenCalledWith({
      optionsJSON: { challenge: 'login-challenge', allowCredentials: [] },
    });
    expect(api.verifyPasskeyLogin).toHaveBeenCalledWith('acme', { id: 'cred' }, 'c-1');
  });

  it('reports a cancelled prompt without calling the server again', async () => {
    const startAuthentication = vi.fn(async () => {
      throw new DOMException('cancelled', 'NotAllowedError');
    });
    const { api, ceremonies } = setup({ startAuthentication });
    await expect(ceremonies.signIn('acme')).rejects.toBeInstanceOf(PasskeyCancelled);
    expect(api.verifyPasskeyLogin).not.toHaveBeenCalled();
  });
});

describe('passkeyOriginProblem', () => {
  it('points 127.0.0.1 to localhost on the same port', () => {
    expect(
      passkeyOriginProblem({ hostname: '127.0.0.1', port: '8000', protocol: 'http:' }),
    ).toContain('http://localhost:8000');
  });

  it('has nothing to say about a host name', () => {
    expect(
      passkeyOriginProblem({ hostname: 'localhost', port: '8000', protocol: 'http:' }),
    ).toBeNull();
    expect(
      passkeyOriginProblem({ hostname: 'app.chalkops.io', port: '', protocol: 'https:' }),
    ).toBeNull();
  });
});
