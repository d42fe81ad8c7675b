import { SettingsError } from 'azure-functions-entra-auth/settings';
import { loadOpenApiSettings } from '../../lib/config/openApiSettings';

describe('OPENAPI_DOCUMENT', () => {
  it('serves the document by default and when on', () => {
    expect(loadOpenApiSettings({})).toEqual({ serveDocument: true });
    expect(loadOpenApiSettings({ OPENAPI_DOCUMENT: ' on ' })).toEqual({ serveDocument: true });
    expect(loadOpenApiSettings({ OPENAPI_DOCUMENT: '' })).toEqual({ serveDocument: true });
  });

  it('turns it off with off', () => {
    expect(loadOpenApiSettings({ OPENAPI_DOCUMENT: 'off' })).toEqual({ serveDocument: false });
  });

  it('refuses anything else at startup, naming the setting', () => {
    for (const value of ['false', 'OFF', '0', 'yes']) {
      expect(() => loadOpenApiSettings({ OPENAPI_DOCUMENT: value })).toThrow(SettingsError);
      expect(() => loadOpenApiSettings({ OPENAPI_DOCUMENT: value })).toThrow(/OPENAPI_DOCUMENT.*must be on or off/);
    }
  });
});
