import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { ApiClient } from '../core/api';
import type { RegisterRequest, Tenant } from '../core/api-types';
import { ApiError } from '../core/problem';
import { CreateOrganizationPage } from './create-organization';

class FakeApi {
  registered: RegisterRequest[] = [];
  answer: () => Promise<Tenant> = async () => ({
    tenant_id: 't1',
    tenant_name: 'acme',
    region: 'local-1',
    status: 'active',
  });
  regions = vi.fn(async () => [{ code: 'local-1', name: 'Local region 1' }]);
  tenant = vi.fn<(name: string) => Promise<Tenant>>();
  register = vi.fn(async (body: RegisterRequest) => {
    this.registered.push(body);
    return this.answer();
  });
}

async function render() {
  const api = new FakeApi();
  TestBed.configureTestingModule({
    imports: [CreateOrganizationPage],
    providers: [provideRouter([]), { provide: ApiClient, useValue: api }],
  });
  const fixture = TestBed.createComponent(CreateOrganizationPage);
  await fixture.whenStable();
  const element = fixture.nativeElement as HTMLElement;
  const type = async (label: string, value: string) => {
    const input = element.querySelector<HTMLInputElement>(`#${label}`);
    if (!input) throw new Error(`no #${label}`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  };
  const submit = async () => {
    element.querySelector('form')?.dispatchEvent(new Event('submit'));
    await fixture.whenStable();
  };
  const text = (id: string) => element.querySelector(`#${id}`)?.textContent?.trim() ?? '';
  return { api, fixture, element, type, submit, text };
}

describe('CreateOrganizationPage', () => {
  it('fills the region picker from the API and preselects the only region', async () => {
    const { element } = await render();
    const select = element.querySelector<HTMLSelectElement>('#org-region');
    expect(select?.textContent).toContain('Local region 1 (local-1)');
    expect(select?.value).toBe('local-1');
  });

  it('explains a bad organization name while typing, and sends nothing', async () => {
    const { api, type, submit, text, element } = await render();
    await type('org-name', 'Acme_Corp');
    expect(text('org-name-error')).toContain('lowercase letters only');
    expect(element.querySelector('#org-name')?.getAttribute('aria-invalid')).toBe('true');
    await submit();
    expect(api.register).not.toHaveBeenCalled();
    await type('org-name', 'acme-corp');
    expect(text('org-name-error')).toBe('');
  });

  it('shows a password strength hint', async () => {
    const { type, text } = await render();
    await type('org-password', 'short');
    expect(text('org-password-hint')).toContain('Too short');
    await type('org-password', 'correct horse battery staple');
    expect(text('org-password-hint')).toBe('Strong password.');
  });

  it('registers and reports a taken name next to the organization field', async () => {
    const { api, type, submit, text } = await render();
    api.answer = () =>
      Promise.reject(new ApiError(409, 'tenant_name_taken', "the tenant name 'acme' is taken"));
    await type('org-name', 'acme');
    await type('org-email', 'owner@acme.test');
    await type('org-password', 'correct horse battery staple');
    await submit();
    expect(api.registered).toEqual([
      {
        tenant_name: 'acme',
        region: 'local-1',
        admin_email: 'owner@acme.test',
        admin_password: 'correct horse battery staple',
      },
    ]);
    expect(text('org-name-error')).toBe(
      'This organization name is already taken. Choose another one.',
    );
    await type('org-name', 'acme-two');
    expect(text('org-name-error')).toBe('');
  });

  it('polls the tenant and shows progress until provisioning is over', async () => {
    const { api, fixture, type, submit, element } = await render();
    const tenant = (status: Tenant['status']): Tenant => ({
      tenant_id: 't1',
      tenant_name: 'acme',
      region: 'local-1',
      status,
    });
    api.answer = async () => tenant('provisioning');
    // The provisioner finishes only when the test says so.
    let finish: (value: Tenant) => void = () => undefined;
    api.tenant.mockImplementation(() => new Promise<Tenant>((resolve) => (finish = resolve)));
    fixture.componentInstance.pollIntervalMs = 0;
    await type('org-name', 'acme');
    await type('org-email', 'owner@acme.test');
    await type('org-password', 'correct horse battery staple');
    await submit();
    await vi.waitFor(() => expect(api.tenant).toHaveBeenCalledWith('acme'));
    await fixture.whenStable();
    expect(element.textContent).toContain('Preparing the database and admin account');
    expect(element.querySelector('progress')).not.toBeNull();
    finish(tenant('active'));
    await vi.waitFor(async () => {
      await fixture.whenStable();
      expect(element.textContent).toContain('Your organization is ready.');
    });
    expect(element.querySelector('progress')).toBeNull();
  });

  it('shows the organization as ready once it is active', async () => {
    const { type, submit, element } = await render();
    await type('org-name', 'acme');
    await type('org-email', 'owner@acme.test');
    await type('org-password', 'correct horse battery staple');
    await submit();
    expect(element.textContent).toContain('Your organization is ready.');
  });
});
