import { Injectable, signal } from '@angular/core';

/** Runtime configuration, read from `config.json` next to `index.html` at start-up. */
export interface RuntimeConfig {
  /** Base URL of the central API, without a trailing slash; empty means the page's own origin. */
  apiBaseUrl: string;
}

export const DEFAULT_CONFIG: RuntimeConfig = { apiBaseUrl: '' };

/**
 * The deployment writes `config.json` (S3 + CloudFront); locally the central API serves the
 * build's default, which keeps the API on the same origin as the UI (the WebAuthn origin).
 */
@Injectable({ providedIn: 'root' })
export class AppConfig {
  private readonly current = signal<RuntimeConfig>(DEFAULT_CONFIG);
  readonly config = this.current.asReadonly();

  async load(fetcher: typeof fetch = fetch.bind(globalThis)): Promise<void> {
    try {
      const response = await fetcher('config.json', { cache: 'no-cache' });
      if (!response.ok) return;
      this.current.set(parseConfig(await response.json()));
    } catch {
      // No config.json (or not JSON): stay on the same-origin default.
    }
  }

  url(path: string): string {
    return `${this.current().apiBaseUrl}${path}`;
  }
}

export function parseConfig(raw: unknown): RuntimeConfig {
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const base = typeof value['apiBaseUrl'] === 'string' ? value['apiBaseUrl'] : '';
  return { apiBaseUrl: base.replace(/\/+$/, '') };
}
