import { InjectionToken, inject, Injectable } from '@angular/core';
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';

import { ApiClient } from './api';
import type { Passkey, TenantAuth, TokenPair } from './api-types';

/** The browser side of WebAuthn (base64url JSON <-> ArrayBuffer), swappable in tests. */
export interface WebAuthnBrowser {
  startRegistration: typeof startRegistration;
  startAuthentication: typeof startAuthentication;
}

export const WEBAUTHN = new InjectionToken<WebAuthnBrowser>('webauthn', {
  providedIn: 'root',
  factory: () => ({ startRegistration, startAuthentication }),
});

/** The browser refused or the person cancelled: nothing was sent to the server. */
export class PasskeyCancelled extends Error {
  constructor(cause: unknown) {
    super('the passkey ceremony did not complete', { cause });
    this.name = 'PasskeyCancelled';
  }
}

/** Passkey ceremonies: options from the API, the browser's authenticator, back to the API. */
@Injectable({ providedIn: 'root' })
export class PasskeyCeremonies {
  private readonly api = inject(ApiClient);
  private readonly browser = inject(WEBAUTHN);

  async register(auth: TenantAuth, nickname: string | null): Promise<Passkey> {
    const options = await this.api.passkeyRegistrationOptions(auth);
    const credential = await this.inBrowser(() =>
      this.browser.startRegistration({ optionsJSON: options }),
    );
    return this.api.verifyPasskeyRegistration(auth, credential, nickname);
  }

  /** Sign in with a discoverable credential: no email, the authenticator names the account. */
  async signIn(tenant: string): Promise<TokenPair> {
    const ceremony = await this.api.passkeyLoginOptions(tenant);
    const assertion = await this.inBrowser(() =>
      this.browser.startAuthentication({ optionsJSON: ceremony.options }),
    );
    return this.api.verifyPasskeyLogin(tenant, assertion, ceremony.ceremonyId);
  }

  private async inBrowser<T>(ceremony: () => Promise<T>): Promise<T> {
    try {
      return await ceremony();
    } catch (error) {
      throw new PasskeyCancelled(error);
    }
  }
}

/**
 * WebAuthn refuses IP-address origins: on http://127.0.0.1:8000 passkeys cannot work, while the
 * same server at http://localhost:8000 (the relying party's origin) can. Says so, or null.
 */
export function passkeyOriginProblem(
  location: Pick<Location, 'hostname' | 'port' | 'protocol'>,
): string | null {
  const host = location.hostname;
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':') || host.startsWith('[');
  if (!isIp) return null;
  const loopback = host.startsWith('127.') || host === '[::1]' || host === '::1';
  if (loopback) {
    const port = location.port ? `:${location.port}` : '';
    return `Passkeys do not work on an IP address. Open ${location.protocol}//localhost${port} instead.`;
  }
  return 'Passkeys do not work on an IP address. Open this site by its name instead.';
}
