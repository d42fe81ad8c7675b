// A daemon's call to the Orders API through the local Entra stand-in, with MSAL.NET.
//
// Trust: run with SSL_CERT_FILE=.dev-state/tls/ca-bundle.pem (the system roots plus the
// stand-in's CA). .NET on Linux verifies through OpenSSL, which reads SSL_CERT_FILE in place of
// the system store; both MSAL's HTTP calls and the HttpClient below use it.
//
// Settings come from the environment, defaulting to the dev registry's writer client:
//   AUTH_INSTANCE (default https://127.0.0.1:7443), AUTH_TENANT_ID, CLIENT_ID, CLIENT_SECRET,
//   API (the API's App ID URI, default api://orders-api), ORDERS_URL (default http://localhost:7071/api/orders)
// Prints "dotnet msal <version>: GET <url> -> <status>"; exits 0 only on a 2xx.
using System.Net.Http.Headers;
using Microsoft.Identity.Client;

static string Setting(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

var instance = Setting("AUTH_INSTANCE", "https://127.0.0.1:7443").TrimEnd('/');
var tenant = Setting("AUTH_TENANT_ID", "de700000-0000-4000-8000-000000000001");
var clientId = Setting("CLIENT_ID", "de700000-0000-4000-8000-0000000c0002");
var secret = Setting("CLIENT_SECRET", "dev-only~writer~not-a-real-secret");
var api = Setting("API", "api://orders-api");
var ordersUrl = Setting("ORDERS_URL", "http://localhost:7071/api/orders");
var version = typeof(ConfidentialClientApplicationBuilder).Assembly.GetName().Version;

var app = ConfidentialClientApplicationBuilder.Create(clientId)
    .WithClientSecret(secret)
    // The stand-in is not a known Entra host: no authority validation, no instance discovery call to login.microsoftonline.com.
    .WithAuthority($"{instance}/{tenant}", validateAuthority: false)
    .WithInstanceDiscovery(false)
    .Build();

AuthenticationResult token;
try
{
    token = await app.AcquireTokenForClient(new[] { api + "/.default" }).ExecuteAsync();
}
catch (MsalException error)
{
    Console.WriteLine($"dotnet msal {version}: no token: {error.ErrorCode}: {error.Message}");
    return 1;
}
catch (HttpRequestException error)
{
    // An untrusted stand-in certificate lands here (PartialChain): SSL_CERT_FILE is not the combined bundle.
    Console.WriteLine($"dotnet msal {version}: no token: {error.Message} {error.InnerException?.Message}");
    return 1;
}

using var http = new HttpClient();
using var request = new HttpRequestMessage(HttpMethod.Get, ordersUrl);
request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
using var response = await http.SendAsync(request);
Console.WriteLine($"dotnet msal {version}: GET {ordersUrl} -> {(int)response.StatusCode}");
return response.IsSuccessStatusCode ? 0 : 1;
