// Optional API Management front door (main.bicep: deployApiManagement). The API is imported
// from the generated OpenAPI document and every operation gets the policy generated from the
// same route table (infra/apim, written by `npm run openapi`): the gateway validates the token
// for the tenant, the audiences and the allowed caller apps, checks the method's roles or
// scopes, rate-limits per caller app, and passes the caller's Authorization header on, so the
// function validates again. With several authorities (the function app's AUTH_AUTHORITIES,
// the same array), each operation's skeleton gets one validate-jwt branch per key source of
// the authorities its method accepts, filled from the generated branch templates (the
// issuers and discovery URLs keep the package's shapes; only values are put in here). The backend carries the function key as a secret named value; a
// managed-identity token would replace the caller's, and the function could no longer enforce
// its own rules.

import { authority as authorityEntry } from 'authorityTypes.bicep'

@description('API Management service name (globally unique).')
param name string

param location string
param tags object

@allowed(['BasicV2', 'StandardV2', 'Basic', 'Standard', 'Premium'])
@description('A tier with rate-limit-by-key: not Consumption.')
param skuName string

@description('Email address API Management sends its notifications to.')
param publisherEmail string

param publisherName string

@description('The function app the gateway sends requests to.')
param functionAppName string

@description('The tenant whose tokens the gateway accepts (v1 and v2 issuers) when authorities is empty.')
param tenantId string

@description('Every authority the function app trusts (its AUTH_AUTHORITIES), this deployment\'s workforce tenant first; empty: that tenant alone, validated with validate-azure-ad-token.')
param authorities authorityEntry[]

@description('The API app registration: its client ID and App ID URI are the accepted audiences.')
param apiClientId string

param apiAppIdUri string

@description('Caller app IDs allowed through; empty means any caller holding a required role or scope.')
param allowedClientAppIds array

@minValue(1)
param rateLimitCalls int

@minValue(1)
param rateLimitPeriodSeconds int

@secure()
@description('The value of the function host key the gateway sends (x-functions-key), kept as a secret named value.')
param functionKey string

@description('Path of the API on the gateway: https://<gateway>/<apiPath>/orders.')
param apiPath string

var backendId = 'orders-function'
var functionKeyName = 'apim-gateway'
var policies = loadJsonContent('../apim/operationPolicies.json')
// The document names the cloud's own sign-in host and this tenant (generated with placeholders).
var loginEndpoint = environment().authentication.loginEndpoint
var cloudInstance = endsWith(loginEndpoint, '/') ? take(loginEndpoint, length(loginEndpoint) - 1) : loginEndpoint
var authority = '${cloudInstance}/${tenantId}'
var document = replace(replace(loadTextContent('../apim/openapi.json'), 'https://entra-authority.invalid/__ENTRA_TENANT_ID__', authority), '__API_APP_ID_URI__', apiAppIdUri)
var clientAppIdsElement = empty(allowedClientAppIds)
  ? ''
  : '<client-application-ids>${join(map(allowedClientAppIds, id => '<application-id>${id}</application-id>'), '')}</client-application-ids>'

// Several authorities: each entry's values as the branch templates name them.
var authorityPolicies = loadJsonContent('../apim/authorityPolicies.json')
var gatewayAuthorities = map(authorities, a => {
  name: a.name
  kind: a.kind
  tenantId: toLower(a.tenantId)
  clientId: toLower(a.clientId)
  appIdUri: a.appIdUri
  instance: a.?instance ?? cloudInstance
  tenantName: a.?tenantName ?? ''
  host: a.?customDomain ?? '${a.?tenantName ?? ''}.b2clogin.com'
  userFlows: map(a.?userFlows ?? [], flow => toLower(flow))
  clientApps: a.?allowedClientApps ?? allowedClientAppIds
  microsoftOnline: a.?acceptMicrosoftOnlineIssuer ?? true
})
// What the types cannot say, refused before anything is created: values are put into XML and
// C# strings, issuers must be exact, and a method may only name authorities that are deployed.
var authorityProblems = filter(
  flatten(map(authorities, a => [
    contains(['organizations', 'common'], toLower(a.tenantId))
      ? 'authority ${a.name}: the gateway lists exact issuers, so tenantId must be one tenant GUID, not ${a.tenantId}'
      : ''
    endsWith(a.appIdUri, '/') ? 'authority ${a.name}: write appIdUri without a trailing slash' : ''
    length(filter(
      flatten([[a.name, a.tenantId, a.clientId, a.appIdUri, a.?instance ?? '', a.?tenantName ?? '', a.?customDomain ?? ''], a.?userFlows ?? [], a.?allowedClientApps ?? []]),
      value => !plainValue(value)
    )) == 0
      ? ''
      : 'authority ${a.name}: a value holds a character the policy cannot carry (quote, apostrophe, <, >, &, backslash or space)'
  ])),
  problem => !empty(problem)
)
var undeployedAuthorities = empty(authorities)
  ? []
  : filter(
      flatten(map(authorityPolicies.operations, operation => operation.authorities ?? [])),
      name => !contains(map(authorities, a => a.name), name)
    )
// A method that accepts only some kinds (the staff's: workforce) needs one deployed authority of them.
var kindlessOperations = empty(authorities)
  ? []
  : map(
      filter(authorityPolicies.operations, operation => !empty(operation.authorityKinds ?? []) && empty(filter(authorities, a => contains(operation.authorityKinds ?? [], a.kind)))),
      operation => '${operation.method} ${operation.path} accepts only authorities of the kinds ${string(operation.authorityKinds)}, and none is deployed'
    )
var gatewayAuthoritiesChecked = empty(authorityProblems) && empty(undeployedAuthorities) && empty(kindlessOperations)
  ? gatewayAuthorities
  : fail('Invalid authorities for the API Management gateway: ${join(concat(authorityProblems, map(undeployedAuthorities, name => 'a method accepts authority ${name}, which is not deployed'), kindlessOperations), '; ')}')

func plainValue(value string) bool =>
  !contains(value, '"') && !contains(value, '\'') && !contains(value, '<') && !contains(value, '>') && !contains(value, '&') && !contains(value, '\\') && !contains(value, ' ')

func quotedIds(ids string[]) string => join(map(ids, id => '&quot;${toLower(id)}&quot;'), ', ')

// The caller-app check stays with the authority's apps, or goes whole when any caller app is accepted.
func withClientApps(branch string, check string, apps string[]) string =>
  empty(apps) ? replace(branch, check, '') : replace(branch, '&quot;__AUTHORITY_CLIENT_APPS__&quot;', quotedIds(apps))

func filled(template string, v object, check string) string =>
  withClientApps(
    replace(
      replace(
        replace(
          replace(
            replace(replace(template, '__AUTHORITY_TENANT_ID__', v.tenantId), '__AUTHORITY_CLIENT_ID__', v.clientId),
            '__AUTHORITY_APP_ID_URI__',
            v.appIdUri
          ),
          '__AUTHORITY_INSTANCE__',
          v.instance
        ),
        '__authority_tenant_name__',
        v.tenantName
      ),
      '__authority_host__',
      v.host
    ),
    check,
    v.clientApps
  )

// One branch per key source: a workforce tenant's document, External ID's ciamlogin (and
// login.microsoftonline.com) documents, each B2C user flow's.
func keySourceBranches(templates object, v object, check string) string =>
  v.kind == 'workforce'
    ? filled(templates.workforce, v, check)
    : v.kind == 'externalId'
        ? join(concat([filled(templates.externalId, v, check)], v.microsoftOnline ? [filled(templates.externalIdMicrosoftOnline, v, check)] : []), '\n')
        : join(map(v.userFlows, flow => replace(filled(templates.b2c, v, check), '__authority_user_flow__', flow)), '\n')

func operationBranches(operation object, authorities object[], check string) string =>
  operation.branches == null
    ? ''
    : join(
        map(
          filter(authorities, v => (operation.authorities == null || contains(operation.authorities, v.name)) && (operation.authorityKinds == null || contains(operation.authorityKinds, v.kind))),
          v => keySourceBranches(operation.branches, v, check)
        ),
        '\n'
      )

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// A host key whose value the deployment chooses, so it is never read back from the app (no listKeys).
// ARM has this type; Bicep's type index does not, so its properties go unchecked here (BCP081).
#disable-next-line BCP081
resource gatewayKey 'Microsoft.Web/sites/host/functionKeys@2024-04-01' = {
  name: '${functionAppName}/default/${functionKeyName}'
  properties: {
    name: functionKeyName
    value: functionKey
  }
  dependsOn: [site]
}

resource service 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    capacity: 1
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

resource functionKeyValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: service
  name: 'orders-function-key'
  properties: {
    displayName: 'orders-function-key'
    secret: true
    value: functionKey
  }
}

resource backend 'Microsoft.ApiManagement/service/backends@2024-05-01' = {
  parent: service
  name: backendId
  properties: {
    protocol: 'http'
    url: 'https://${site.properties.defaultHostName}/api'
    credentials: {
      header: {
        'x-functions-key': ['{{${functionKeyValue.name}}}']
      }
    }
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: service
  name: 'orders-api'
  properties: {
    displayName: 'Orders API'
    path: apiPath
    protocols: ['https']
    // Callers present Entra tokens, not subscription keys.
    subscriptionRequired: false
    format: 'openapi+json'
    value: document
    serviceUrl: 'https://${site.properties.defaultHostName}/api'
  }
}

resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: '<policies><inbound><base /><set-backend-service backend-id="${backend.name}" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>'
  }
}

resource operations 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' existing = [
  for policy in policies: {
    parent: api
    name: policy.operationName
  }
]

resource operationPolicies 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = [
  for (policy, i) in policies: {
    parent: operations[i]
    name: 'policy'
    properties: {
      format: 'rawxml'
      value: replace(
        replace(
          replace(
            replace(
              replace(
                replace(
                  empty(authorities)
                    ? policy.xml
                    : replace(
                        authorityPolicies.operations[i].xml,
                        '<!-- __AUTHORITY_BRANCHES__ -->',
                        operationBranches(authorityPolicies.operations[i], gatewayAuthoritiesChecked, authorityPolicies.clientAppCheck)
                      ),
                  '<client-application-ids><application-id>__ALLOWED_CLIENT_APP_IDS__</application-id></client-application-ids>',
                  clientAppIdsElement
                ),
                '__ENTRA_TENANT_ID__',
                tenantId
              ),
              '__API_CLIENT_ID__',
              apiClientId
            ),
            '__API_APP_ID_URI__',
            apiAppIdUri
          ),
          '__RATE_LIMIT_CALLS__',
          string(rateLimitCalls)
        ),
        '__RATE_LIMIT_PERIOD_SECONDS__',
        string(rateLimitPeriodSeconds)
      )
    }
    dependsOn: [apiPolicy, gatewayKey]
  }
]

output gatewayUrl string = '${service.properties.gatewayUrl}/${apiPath}'
