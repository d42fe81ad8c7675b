// IdentityModelJudge: judges Entra access tokens the way a Microsoft.Identity.Web web API
// (AddMicrosoftIdentityWebApi over ASP.NET Core's JwtBearer) would, with
// Microsoft.IdentityModel's JsonWebTokenHandler, and prints one verdict per token.
//
//   IdentityModelJudge --config judge-config.json            tokens on stdin, one per line;
//                                                            prints "accept" or "reject <code> <exception>"
//   IdentityModelJudge --config judge-config.json --bench [--warmup N]
//                                                            times first-seen validation per token
//
// Discovery documents and key sets come from the config's "documents" file (URL -> JSON),
// served to Microsoft.IdentityModel's own ConfigurationManager through an HttpClient
// whose handler never touches the network. The clock is fixed at the config's "now".
// Written for this repository's conformance check; it shares no code with the app.

using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Microsoft.IdentityModel.Validators;

namespace IdentityModelJudge;

/// <summary>What the generator writes for one configuration.</summary>
public sealed record JudgeConfig
{
    /// <summary>Authority host, e.g. https://login.microsoftonline.com (no trailing slash).</summary>
    public string Instance { get; init; } = "https://login.microsoftonline.com";
    /// <summary>Tenant segment of the authority: a tenant GUID, organizations or common.</summary>
    public string AuthorityTenant { get; init; } = "";
    public string ClientId { get; init; } = "";
    /// <summary>The client ID, the App ID URI and the App ID URI with a trailing slash.</summary>
    public string[] ValidAudiences { get; init; } = [];
    public int ClockSkewSeconds { get; init; } = 300;
    /// <summary>The fixed instant both judges use, in seconds since the epoch.</summary>
    public long NowUnixSeconds { get; init; }
    /// <summary>Microsoft.Identity.Web's AllowWebApiToBeAuthorizedByACL: skips the scp-or-roles rule (IDW10201).</summary>
    public bool AllowWebApiToBeAuthorizedByAcl { get; init; }
    /// <summary>
    /// "aad" (default): AadIssuerValidator, which Microsoft.Identity.Web registers whenever ValidateIssuer
    /// is on (single- and multi-tenant alike). "validIssuers": the tenant's v1 and v2 issuers as ValidIssuers.
    /// </summary>
    public string IssuerValidation { get; init; } = "aad";
    /// <summary>Path of a JSON object mapping each metadata/key URL to its document (relative to the config file).</summary>
    public string Documents { get; init; } = "";
}

/// <summary>A TimeProvider stopped at one instant.</summary>
sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Serves the generator's documents for GETs of their exact URLs; 404 for anything else. No network.</summary>
sealed class LocalDocumentsHandler(IReadOnlyDictionary<string, string> documents) : HttpMessageHandler
{
    public List<string> Misses { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string url = request.RequestUri?.ToString() ?? "";
        if (request.Method == HttpMethod.Get && documents.TryGetValue(url, out string? body))
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
                RequestMessage = request,
            });
        }
        lock (Misses) Misses.Add(url);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request });
    }
}

public sealed class Judge
{
    // The claim types Microsoft.Identity.Web's web-API rule looks for (ClaimConstants.Scope, Scp, Roles, Role).
    static readonly string[] PermissionClaimTypes =
    [
        "http://schemas.microsoft.com/identity/claims/scope",
        "scp",
        "roles",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    ];

    static readonly Regex Code = new(@"\b(IDX\d{5}|IDW\d{5})\b", RegexOptions.Compiled);

    readonly JsonWebTokenHandler handler;
    readonly TokenValidationParameters parameters;
    readonly JudgeConfig config;

    public Judge(JudgeConfig config, HttpClient http)
    {
        this.config = config;
        // JwtBearerOptions.MapInboundClaims defaults to true, and JwtBearer passes it on to its JsonWebTokenHandler.
        handler = new JsonWebTokenHandler { MapInboundClaims = true };

        // Microsoft.Identity.Web always makes the authority a v2.0 one (AuthorityHelpers.EnsureAuthorityIsV2),
        // and JwtBearer reads "{authority}/.well-known/openid-configuration" through a ConfigurationManager.
        string authority = $"{config.Instance}/{config.AuthorityTenant}/v2.0";
        var configurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            $"{authority}/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http) { RequireHttps = true });

        parameters = new TokenValidationParameters
        {
            // JwtBearerHandler hands its ConfigurationManager to the token handler (a BaseConfigurationManager):
            // issuer and signing keys come from the v2 discovery document and key set.
            ConfigurationManager = configurationManager,
            ValidAudiences = config.ValidAudiences,
            ClockSkew = TimeSpan.FromSeconds(config.ClockSkewSeconds),
        };
        FixClock(parameters, DateTimeOffset.FromUnixTimeSeconds(config.NowUnixSeconds));

        if (config.IssuerValidation == "validIssuers")
        {
            string tenant = config.AuthorityTenant;
            parameters.ValidIssuers = [$"https://sts.windows.net/{tenant}/", $"{config.Instance}/{tenant}/v2.0"];
        }
        else
        {
            // IdentityOptionsHelpers.ConfigureIssuerValidation: MicrosoftIdentityIssuerValidatorFactory.GetAadIssuerValidator(authority).Validate.
            // It reads the v1 ("{authority without /v2.0}", organizations -> common) and v2 discovery documents itself.
            parameters.IssuerValidator = AadIssuerValidator.GetAadIssuerValidator(authority, http).Validate;
        }

        // Microsoft.Identity.Web: options.TokenValidationParameters.EnableAadSigningKeyIssuerValidation().
        parameters.EnableAadSigningKeyIssuerValidation();
    }

    /// <summary>
    /// Stops the clock of Microsoft.IdentityModel's own lifetime check (Validators.ValidateLifetime, which reads
    /// TokenValidationParameters.TimeProvider: internal in 8.23, so set by reflection). The LifetimeValidator hands
    /// every lifetime check to that same library function with a copy of these parameters, so a clone the handler may make
    /// (TimeProvider is not copied by Clone) still judges at the fixed instant.
    /// </summary>
    static void FixClock(TokenValidationParameters parameters, DateTimeOffset now)
    {
        var property = typeof(TokenValidationParameters).GetProperty("TimeProvider", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingMemberException("TokenValidationParameters.TimeProvider is gone: fix the clock another way");
        var clock = new FixedTimeProvider(now);
        property.SetValue(parameters, clock);
        // A copy without the delegate (ValidateLifetime calls LifetimeValidator when one is set), on the same clock.
        TokenValidationParameters lifetimeParameters = parameters.Clone();
        property.SetValue(lifetimeParameters, clock);
        parameters.LifetimeValidator = (notBefore, expires, token, _) =>
        {
            Validators.ValidateLifetime(notBefore, expires, token, lifetimeParameters);
            return true;
        };
    }

    /// <summary>"accept", or "reject CODE ExceptionType".</summary>
    public async Task<string> JudgeAsync(string token)
    {
        TokenValidationResult result;
        try
        {
            result = await handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            return Reject(exception);
        }
        if (!result.IsValid) return Reject(result.Exception);

        // JwtBearer's OnTokenValidated, as Microsoft.Identity.Web chains it (ChainOnTokenValidatedEventForClaimsValidation):
        // a token with neither scopes nor roles is refused with IDW10201, unless the API is authorized by ACL.
        if (!config.AllowWebApiToBeAuthorizedByAcl)
        {
            ClaimsIdentity identity = result.ClaimsIdentity;
            if (!identity.Claims.Any(claim => PermissionClaimTypes.Contains(claim.Type)))
                return "reject IDW10201 NeitherScopeOrRolesClaimFoundInToken";
        }
        return "accept";
    }

    static string Reject(Exception? exception)
    {
        if (exception is null) return "reject unknown NoException";
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            Match match = Code.Match(current.Message);
            if (match.Success) return $"reject {match.Value} {exception.GetType().Name}";
        }
        return $"reject none {exception.GetType().Name}";
    }
}

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string? configPath = null;
        bool bench = false;
        int? warmup = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--config": configPath = args[++i]; break;
                case "--bench": bench = true; break;
                case "--warmup": warmup = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; usage: IdentityModelJudge --config FILE [--bench [--warmup N]] < tokens");
                    return 2;
            }
        }
        if (configPath is null)
        {
            Console.Error.WriteLine("usage: IdentityModelJudge --config FILE [--bench [--warmup N]] < tokens");
            return 2;
        }

        var jsonOptions = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        JudgeConfig config = JsonSerializer.Deserialize<JudgeConfig>(File.ReadAllText(configPath), jsonOptions)
            ?? throw new InvalidDataException("empty config");
        string documentsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".", config.Documents);
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        using (JsonDocument parsed = JsonDocument.Parse(File.ReadAllText(documentsPath)))
        {
            foreach (JsonProperty property in parsed.RootElement.EnumerateObject())
                documents[property.Name] = property.Value.GetRawText();
        }

        var documentsHandler = new LocalDocumentsHandler(documents);
        using var http = new HttpClient(documentsHandler);
        var judge = new Judge(config, http);

        var tokens = new List<string>();
        string? line;
        while ((line = Console.In.ReadLine()) is not null) tokens.Add(line);

        int exit = bench ? await Bench(judge, tokens, warmup) : await Verdicts(judge, tokens);
        if (documentsHandler.Misses.Count > 0)
            Console.Error.WriteLine($"documents not in the local set (answered 404): {string.Join(", ", documentsHandler.Misses.Distinct())}");
        return exit;
    }

    static async Task<int> Verdicts(Judge judge, List<string> tokens)
    {
        var output = new StringBuilder();
        foreach (string token in tokens) output.Append(await judge.JudgeAsync(token)).Append('\n');
        Console.Out.Write(output.ToString());
        return 0;
    }

    /// <summary>
    /// Sequential first-seen validations: the first `warmup` tokens (distinct from the timed ones)
    /// warm the JIT, the configuration and the key cache; each remaining token is validated once, timed alone.
    /// </summary>
    static async Task<int> Bench(Judge judge, List<string> tokens, int? warmupCount)
    {
        int warm = Math.Min(warmupCount ?? Math.Max(1, tokens.Count / 4), tokens.Count - 1);
        if (warm < 1 || tokens.Count < 2)
        {
            Console.Error.WriteLine("--bench needs at least 2 tokens");
            return 2;
        }
        int rejected = 0;
        for (int i = 0; i < warm; i++)
            if (await judge.JudgeAsync(tokens[i]) != "accept") rejected++;

        var micros = new double[tokens.Count - warm];
        long started = Stopwatch.GetTimestamp();
        for (int i = warm; i < tokens.Count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            string verdict = await judge.JudgeAsync(tokens[i]);
            micros[i - warm] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (verdict != "accept") rejected++;
        }
        double totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Array.Sort(micros);
        double Quantile(double q) => micros[(int)Math.Min(micros.Length - 1, Math.Round((micros.Length - 1) * q))];
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(inv,
            $"bench tokens={micros.Length} warmup={warm} median_us={Quantile(0.5):F1} mean_us={micros.Average():F1} p90_us={Quantile(0.9):F1} min_us={micros[0]:F1} total_ms={totalMs:F1} rejected={rejected}"));
        return rejected == 0 ? 0 : 1;
    }
}
