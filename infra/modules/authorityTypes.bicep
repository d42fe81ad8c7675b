// The authorities a deployment trusts beside its own workforce tenant (main.bicep:
// additionalAuthorities). Each entry is written exactly as an AUTH_AUTHORITIES entry of the
// package (its field names and kinds; the function app checks every value when it starts),
// so the same array becomes the app's AUTH_AUTHORITIES setting and the gateway's branches.
// Local-development fields (discoveryBase) and multi-tenant workforce entries are left out:
// API Management cannot reach a stand-in, and exact issuers need one tenant per entry.

@export()
type workforceAuthority = {
  kind: 'workforce'
  @description('How method rules (authorities), the principal and telemetry name it.')
  name: string
  @description('The tenant GUID (one tenant: the gateway lists exact issuers).')
  tenantId: string
  @description('The API app registration\'s client ID in that tenant.')
  clientId: string
  @description('Its App ID URI, without a trailing slash.')
  appIdUri: string
  @description('Caller app IDs accepted from this authority; omitted: allowedClientAppIds (or any).')
  allowedClientApps: string[]?
  @description('Sign-in origin; omitted: the cloud\'s own.')
  instance: string?
  tokenVersions: ('1.0' | '2.0')[]?
}

@export()
type externalIdAuthority = {
  kind: 'externalId'
  name: string
  @description('The External ID tenant GUID.')
  tenantId: string
  @description('contoso for contoso.ciamlogin.com.')
  tenantName: string
  clientId: string
  appIdUri: string
  allowedClientApps: string[]?
  @description('Also accept the tenant\'s tokens issued through the workforce sign-in host, their own issuer and key set (default true).')
  acceptMicrosoftOnlineIssuer: bool?
}

@export()
type b2cAuthority = {
  kind: 'b2c'
  name: string
  @description('The B2C tenant GUID.')
  tenantId: string
  @description('contoso for contoso.b2clogin.com and contoso.onmicrosoft.com.')
  tenantName: string
  clientId: string
  appIdUri: string
  allowedClientApps: string[]?
  @minLength(1)
  @description('The user flows (or custom policies) accepted: each has its own key set.')
  userFlows: string[]
  @description('Host the tokens are issued from instead of <tenantName>.b2clogin.com.')
  customDomain: string?
}

@export()
@discriminator('kind')
type authority = workforceAuthority | externalIdAuthority | b2cAuthority
