import { TestBed } from '@angular/core/testing';

import { ApiClient, FETCH } from './api';
import { AppConfig } from './config';
import { ApiError } from './problem';

interface Sent {
  url: string;
  init: RequestInit;
}

function setup(answer: () => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetcher = vi.fn(async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return answer();
  });
  TestBed.configureTestingModule({ providers: [{ provide: FETCH, useValue: fetcher }] });
  return { api: TestBed.inject(ApiClient), sent };
}

describe('ApiClient', () => {
  it('calls the configured API base URL', async () => {
    const { api, sent } = setup(() => Response.json([{ code: 'local-1', name: 'Local 1' }]));
    await TestBed.inject(AppConfig).load((async () =>
      Response.json({ apiBaseUrl: 'https://api.example.test' })) as typeof fetch);
    const regions = await api.regions();
    expect(regions).toEqual([{ code: 'local-1', name: 'Local 1' }]);
    expect(sent[0].url).toBe('https://api.example.test/regions');
  });

  it('sends the bearer token to the tenant path of the regional API', async () => {
    const { api, sent } = setup(() =>
      Response.json({ id: 'u1', email: 'a@b.c', roles: ['admin'] }),
    );
    await api.me({ tenant: 'acme', accessToken: 'tok' });
    expect(sent[0].url).toBe('/tenants/acme/users/me');
    expect((sent[0].init.headers as Record<string, string>)['Authorization']).toBe('Bearer tok');
  });

  it('posts JSON bodies', async () => {
    const { api, sent } = setup(() =>
      Response.json({ tenant_name: 'acme', status: 'active' }, { status: 201 }),
    );
    await api.register({
      tenant_name: 'acme',
      region: 'local-1',
      admin_email: 'a@b.c',
      admin_password: 'pw',
    });
    expect(sent[0].init.method).toBe('POST');
    expect(JSON.parse(String(sent[0].init.body))).toEqual({
      tenant_name: 'acme',
      region: 'local-1',
      admin_email: 'a@b.c',
      admin_password: 'pw',
    });
  });

  it('splits the ceremony id off the passkey sign-in options', async () => {
    const { api, sent } = setup(() =>
      Response.json({
        challenge: 'abc',
        rpId: 'localhost',
        allowCredentials: [],
        ceremony_id: 'c-1',
      }),
    );
    const ceremony = await api.passkeyLoginOptions('acme');
    expect(JSON.parse(String(sent[0].init.body))).toEqual({});
    expect(ceremony.ceremonyId).toBe('c-1');
    expect(ceremony.options).toEqual({ challenge: 'abc', rpId: 'localhost', allowCredentials: [] });
  });

  it('answers 204 with nothing', async () => {
    const { api } = setup(() => new Response(null, { status: 204 }));
    await expect(
      api.deletePasskey({ tenant: 'acme', accessToken: 't' }, 'p1'),
    ).resolves.toBeUndefined();
  });

  it('rejects with the problem document of an error', async () => {
    const { api } = setup(() =>
      Response.json({ code: 'tenant_name_taken', detail: 'taken', status: 409 }, { status: 409 }),
    );
    const error = await api
      .register({ tenant_name: 'a', region: 'r', admin_email: 'e', admin_password: 'p' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('tenant_name_taken');
  });

  it('turns a network failure into an ApiError', async () => {
    const { api } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = (await api.regions().catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('network_error');
  });

  it('escapes path segments', async () => {
    const { api, sent } = setup(() => new Response(null, { status: 204 }));
    await api.deleteUser({ tenant: 'acme', accessToken: 't' }, '../x');
    expect(sent[0].url).toBe('/tenants/acme/users/..%2Fx');
  });
});
