// Optional API Management front door (main.bicep: deployApiManagement). The API is imported
// from the generated OpenAPI document and every operation gets the policy generated from the
// same route table (infra/apim, written by `npm run openapi`): the gateway validates the token
// for the tenant, the audiences and the allowed caller apps, checks the method's roles or
// scopes, rate-limits per caller app, and passes the caller's Authorization header on, so the
// function validates again. The backend carries the function key as a secret named value; a
// managed-identity token would replace the caller's, and the function could no longer enforce
// its own rules.

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

@description('The tenant whose tokens the gateway accepts (v1 and v2 issuers).')
param tenantId string

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
var authority = '${endsWith(loginEndpoint, '/') ? take(loginEndpoint, length(loginEndpoint) - 1) : loginEndpoint}/${tenantId}'
var document = replace(replace(loadTextContent('../apim/openapi.json'), 'https://entra-authority.invalid/__ENTRA_TENANT_ID__', authority), '__API_APP_ID_URI__', apiAppIdUri)
var clientAppIdsElement = empty(allowedClientAppIds)
  ? ''
  : '<client-application-ids>${join(map(allowedClientAppIds, id => '<application-id>${id}</application-id>'), '')}</client-application-ids>'

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
                replace(policy.xml, '<client-application-ids><application-id>__ALLOWED_CLIENT_APP_IDS__</application-id></client-application-ids>', clientAppIdsElement),
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
