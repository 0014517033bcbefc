/** Shapes of the ChalkOps REST contract (v1) as the web UI uses them. */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';

export type TenantStatus = 'provisioning' | 'active' | 'failed';
export type Role = 'admin' | 'member';

export interface Region {
  code: string;
  name: string;
}

export interface RegisterRequest {
  tenant_name: string;
  region: string;
  admin_email: string;
  admin_password: string;
  display_name?: string;
}

export interface Tenant {
  tenant_id: string;
  tenant_name: string;
  region: string;
  status: TenantStatus;
  status_reason?: string | null;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface GlobalToken {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface User {
  id: string;
  email: string;
  display_name: string | null;
  roles: string[];
  tenant_id: string;
  created_at?: string | null;
  last_login_at?: string | null;
}

export interface UserCreate {
  email: string;
  password: string;
  display_name?: string;
  roles?: Role[];
}

export interface UserUpdate {
  display_name?: string;
  roles?: Role[];
}

export interface Passkey {
  id: string;
  nickname: string | null;
  created_at: string;
  last_used_at: string | null;
  transports: string[];
  backup_eligible: boolean;
  backup_state: boolean;
}

export type PasskeyCreationOptions = PublicKeyCredentialCreationOptionsJSON;

export interface PasskeyLoginCeremony {
  options: PublicKeyCredentialRequestOptionsJSON;
  ceremonyId: string;
}

export type PasskeyRegistration = RegistrationResponseJSON;
export type PasskeyAssertion = AuthenticationResponseJSON;

/** What a tenant-scoped call needs: the organization and a bearer token for it. */
export interface TenantAuth {
  tenant: string;
  accessToken: string;
}
