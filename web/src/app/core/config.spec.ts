import { TestBed } from '@angular/core/testing';

import { AppConfig, parseConfig } from './config';

describe('AppConfig', () => {
  it('defaults to the page origin', () => {
    expect(TestBed.inject(AppConfig).url('/regions')).toBe('/regions');
  });

  it('uses the API base URL from config.json, without a trailing slash', async () => {
    const config = TestBed.inject(AppConfig);
    const fetcher = vi.fn(async () => Response.json({ apiBaseUrl: 'https://api.example.test/' }));
    await config.load(fetcher as unknown as typeof fetch);
    expect(fetcher).toHaveBeenCalledWith('config.json', { cache: 'no-cache' });
    expect(config.url('/regions')).toBe('https://api.example.test/regions');
  });

  it('keeps the default when config.json is missing', async () => {
    const config = TestBed.inject(AppConfig);
    await config.load((async () => new Response('nope', { status: 404 })) as typeof fetch);
    expect(config.url('/health')).toBe('/health');
  });

  it('ignores values of the wrong type', () => {
    expect(parseConfig({ apiBaseUrl: 42 })).toEqual({ apiBaseUrl: '' });
    expect(parseConfig(null)).toEqual({ apiBaseUrl: '' });
  });
});
