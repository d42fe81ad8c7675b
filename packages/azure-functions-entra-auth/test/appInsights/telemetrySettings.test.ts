import { loadTelemetrySettings } from '../../src/appInsights/telemetrySettings';
import { SettingsError } from '../../src/settings/settingsError';

const IKEY = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const APP_ID = '9d3c6a0e-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const PORTAL =
  `InstrumentationKey=${IKEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;` +
  `LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=${APP_ID}`;

const load = (env: Record<string, string | undefined>) => loadTelemetrySettings(env);

function settingsError(env: Record<string, string | undefined>): SettingsError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('without a connection string', () => {
  it.each([{}, { APPLICATIONINSIGHTS_CONNECTION_STRING: '' }, { APPLICATIONINSIGHTS_CONNECTION_STRING: '   ' }])('turns telemetry off (%j)', (env) => {
    expect(load(env)).toEqual({ enabled: false });
  });

  it('refuses an authentication string, which would then have nothing to authenticate', () => {
    const error = settingsError({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' });
    expect(error.setting).toBe('APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
    expect(error.message).toMatch(/applies only with APPLICATIONINSIGHTS_CONNECTION_STRING/);
  });
});

describe('APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
  it('accepts the form the portal shows, authenticated by the instrumentation key', () => {
    expect(load({ APPLICATIONINSIGHTS_CONNECTION_STRING: PORTAL })).toEqual({
      enabled: true,
      connectionString: PORTAL,
      instrumentationKey: IKEY,
      ingestionEndpoint: 'https://westeurope-5.in.applicationinsights.azure.com',
      authentication: { kind: 'instrumentationKey' },
    });
  });

  it('normalizes what the SDK would reject: key case, spaces, an uppercase key GUID and a trailing ";"', () => {
    const settings = load({
      APPLICATIONINSIGHTS_CONNECTION_STRING: ` instrumentationkey = ${IKEY.toUpperCase()} ; ingestionendpoint=https://westeurope-5.in.applicationinsights.azure.com/;`,
    });
    expect(settings).toMatchObject({
      connectionString: `InstrumentationKey=${IKEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`,
      instrumentationKey: IKEY,
    });
  });

  it('accepts the EndpointSuffix form of sovereign clouds, deriving the ingestion host as the SDK does', () => {
    const settings = load({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};EndpointSuffix=applicationinsights.azure.cn;Location=chinaeast2` });
    expect(settings).toMatchObject({ enabled: true, ingestionEndpoint: 'https://chinaeast2.dc.applicationinsights.azure.cn' });
  });

  it('passes unknown keys through for the SDK, which ignores what it does not know', () => {
    expect(load({ APPLICATIONINSIGHTS_CONNECTION_STRING: `${PORTAL};FutureKey=x` })).toMatchObject({ connectionString: `${PORTAL};FutureKey=x` });
  });

  it.each([
    ['no InstrumentationKey', 'IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/', /must contain InstrumentationKey=<guid>/],
    ['a key that is not a GUID', 'InstrumentationKey=not-a-guid;IngestionEndpoint=https://x.in.applicationinsights.azure.com/', /must have a GUID as InstrumentationKey/],
    ['a bare instrumentation key', IKEY, /must be key=value pairs separated by ";"/],
    ['a "=" inside a value', `InstrumentationKey=${IKEY};IngestionEndpoint=https://x.in.applicationinsights.azure.com/?a=b`, /"=" inside the value of IngestionEndpoint/],
    ['an empty value', `InstrumentationKey=;IngestionEndpoint=https://x.in.applicationinsights.azure.com/`, /must be key=value pairs/],
    ['a key given twice', `InstrumentationKey=${IKEY};InstrumentationKey=${IKEY};IngestionEndpoint=https://x.in.applicationinsights.azure.com/`, /names InstrumentationKey twice/],
    ['no IngestionEndpoint or EndpointSuffix', `InstrumentationKey=${IKEY}`, /must contain IngestionEndpoint=https:\/\/… \(or EndpointSuffix=…\)/],
    ['a plain http endpoint', `InstrumentationKey=${IKEY};IngestionEndpoint=http://x.in.applicationinsights.azure.com/`, /https URL without path, query or credentials/],
    ['an endpoint with a path', `InstrumentationKey=${IKEY};IngestionEndpoint=https://x.in.applicationinsights.azure.com/v2/track`, /https URL without path/],
    ['an endpoint that is not a URL', `InstrumentationKey=${IKEY};IngestionEndpoint=westeurope`, /https URL/],
    ['Authorization=AAD inside the connection string', `${PORTAL};Authorization=AAD`, /APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD/],
  ])('refuses %s, naming the setting and not echoing the value', (_case, value, message) => {
    const error = settingsError({ APPLICATIONINSIGHTS_CONNECTION_STRING: value });
    expect(error.setting).toBe('APPLICATIONINSIGHTS_CONNECTION_STRING');
    expect(error.message).toMatch(/^Invalid setting APPLICATIONINSIGHTS_CONNECTION_STRING: /);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(IKEY);
  });
});

describe('APPLICATIONINSIGHTS_AUTHENTICATION_STRING', () => {
  const withAuth = (value: string) => load({ APPLICATIONINSIGHTS_CONNECTION_STRING: PORTAL, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value });

  it('selects the system-assigned managed identity with Authorization=AAD', () => {
    expect(withAuth('Authorization=AAD')).toMatchObject({ authentication: { kind: 'managedIdentity', clientId: undefined } });
  });

  it('selects a user-assigned identity by its client ID (keys and AAD in any case)', () => {
    expect(withAuth(`authorization=aad;clientid=${APP_ID.toUpperCase()};`)).toMatchObject({ authentication: { kind: 'managedIdentity', clientId: APP_ID } });
  });

  it.each([
    ['Authorization=ikey', /must be Authorization=AAD/],
    [`ClientId=${APP_ID}`, /must be Authorization=AAD/],
    ['Authorization=AAD;ClientId=my-identity', /must have a GUID as ClientId/],
    ['Authorization=AAD;ClientSecret=shh', /supports only Authorization and ClientId, not ClientSecret/],
    ['AAD', /must be key=value pairs/],
  ])('refuses %s, naming the setting', (value, message) => {
    const error = settingsError({ APPLICATIONINSIGHTS_CONNECTION_STRING: PORTAL, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value });
    expect(error.setting).toBe('APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
    expect(error.message).toMatch(message);
  });
});

it('returns frozen settings', () => {
  const settings = load({ APPLICATIONINSIGHTS_CONNECTION_STRING: PORTAL, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' });
  expect(Object.isFrozen(settings)).toBe(true);
  expect(settings.enabled && Object.isFrozen(settings.authentication)).toBe(true);
});
