using System.CommandLine;
using Coffer.Cli;
using Coffer.Common;
using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Server.Accounts;

namespace Coffer.Host;

/// <summary>
/// <c>coffer admin</c>: sub-accounts and temporary keys of the root accounts. Keys are stored in the data folder's
/// metadata, so these commands work beside a running server, which sees new keys at once. Output is JSON (keys are made
/// to be copied) unless <c>--output table</c>. The data folder must hold a store already: a mistyped <c>--data</c>
/// never creates a new one.
/// </summary>
internal static class AdminCommand
{
    private static readonly Option<OutputFormat> Output = new("--output", "-o") { Description = "json (default) or table.", DefaultValueFactory = _ => OutputFormat.Json };

    public static Command Build(HostSettings settings)
    {
        var appId = new Option<string?>("--appid") { Description = "The root account's APPID. Default: the only (or first) root account." };
        var name = new Option<string>("--name") { Description = "A name for the sub-account.", Required = true };
        var uin = new Option<string?>("--uin") { Description = "The uin: a sub-account's (default: a new one), or whose temporary key (default: the root's)." };
        var policy = new Option<string?>("--policy") { Description = "A CAM policy limiting what the key may do: the JSON itself (starting with '{') or a file of it." };
        var seconds = new Option<int>("--duration") { Description = "Seconds the temporary key lives (default 1800, at most 129600).", DefaultValueFactory = _ => 1800 };
        var secretId = new Option<string>("--secret-id") { Description = "The SecretId of the key to delete.", Required = true };

        var createSub = new Command("create", "Create a sub-account with a key pair (and optionally its CAM policy).") { settings.Data, settings.Metadata, settings.Config, appId, name, uin, policy, Output };
        createSub.SetAction((parse, cancellationToken) => RunAsync(settings, parse, async identities =>
        {
            var created = await identities.CreateSubAccountAsync(Root(identities, parse.GetValue(appId)), parse.GetValue(name)!, parse.GetValue(uin),
                Read(parse.GetValue(policy)), cancellationToken);
            return new { created.AppId, created.Uin, created.Name, created.SecretId, created.SecretKey, HasPolicy = created.Policy is not null };
        }));

        var list = new Command("list", "List the stored keys of a root account: sub-accounts' and temporary ones (secret keys not shown).") { settings.Data, settings.Metadata, settings.Config, appId, Output };
        list.SetAction((parse, cancellationToken) => RunAsync(settings, parse, identities => Task.FromResult<object>(
            identities.List(Root(identities, parse.GetValue(appId))).Select(c => new
            {
                c.Kind,
                c.Uin,
                c.Name,
                c.SecretId,
                Expiration = c.ExpiresAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                HasPolicy = c.Policy is not null,
            }).ToArray())));

        var createTemporary = new Command("create", "Issue a temporary key (TmpSecretId, TmpSecretKey and a session token).") { settings.Data, settings.Metadata, settings.Config, appId, uin, seconds, policy, Output };
        createTemporary.SetAction((parse, cancellationToken) => RunAsync(settings, parse, async identities =>
        {
            var root = Root(identities, parse.GetValue(appId));
            var owner = parse.GetValue(uin) ?? identities.Roots.FindByAppId(root)?.Uin
                ?? throw new CofferException(ErrorCode.InvalidArgument, $"There is no root account with APPID {root}.");
            var key = await identities.CreateTemporaryKeyAsync(root, owner, TimeSpan.FromSeconds(parse.GetValue(seconds)), Read(parse.GetValue(policy)),
                cancellationToken);
            return new
            {
                Credentials = new { TmpSecretId = key.SecretId, TmpSecretKey = key.SecretKey, Token = key.SessionToken },
                ExpiredTime = key.ExpiresAt!.Value.ToUnixTimeSeconds(),
                Expiration = key.ExpiresAt.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                key.AppId,
                key.Uin,
            };
        }));

        var delete = new Command("delete", "Delete a stored key (a sub-account's or a temporary one).") { settings.Data, settings.Metadata, settings.Config, secretId, Output };
        delete.SetAction((parse, cancellationToken) => RunAsync(settings, parse, async identities =>
            (object)new { Deleted = await identities.DeleteAsync(parse.GetValue(secretId)!, cancellationToken) }));

        var subaccount = new Command("subaccount", "Sub-accounts of a root account.") { createSub, list };
        var temporary = new Command("tempkey", "Temporary keys (like STS credentials).") { createTemporary };
        var key = new Command("key", "Stored keys.") { delete };
        return new Command("admin", "Identities: sub-accounts, temporary keys.") { subaccount, temporary, key };
    }

    private static async Task<int> RunAsync(HostSettings settings, ParseResult parse, Func<IdentityDirectory, Task<object>> work)
    {
        var time = TimeProvider.System;
        try
        {
            var (file, dataDirectory, location) = settings.Read(parse);
            if (!location.HoldsStore(dataDirectory))
            {
                await Console.Error.WriteLineAsync($"coffer: {dataDirectory} holds no Coffer store (no {MetadataLocation.EmbeddedDatabaseFile}); check --data, or start `coffer serve` there once");
                return 2;
            }

            StartupChecks.Accounts(file);
            var (accounts, _) = AccountSources.Resolve(file, Environment.GetEnvironmentVariable, dataDirectory);
            using var metadata = CofferCore.OpenMetadata(dataDirectory, location, time);
            var result = await work(new IdentityDirectory(new AccountDirectory(accounts), metadata, time, AccountSources.SubAccounts(file)));
            Printer.Print(result, parse.GetValue(Output));
            return 0;
        }
        catch (CofferException error)
        {
            await Console.Error.WriteLineAsync($"coffer: {error.Code}: {error.Message}");
            return 2;
        }
        catch (Exception error) when (error is IOException or StartupException or InvalidDataException || StartupChecks.IsMetadataFailure(error))
        {
            await Console.Error.WriteLineAsync($"coffer: {error.Message}");
            return 2;
        }
    }

    private static string Root(IdentityDirectory identities, string? appId) =>
        appId ?? (identities.Roots.Accounts.Count > 0 ? identities.Roots.Accounts[0].AppId : null) ?? throw new CofferException(ErrorCode.InvalidArgument, "There is no root account.");

    /// <summary>The policy given inline (JSON starts with '{') or as a file; a missing file says which of the two was expected.</summary>
    private static byte[]? Read(string? policy) =>
        policy is null ? null
        : policy.TrimStart().StartsWith('{') ? System.Text.Encoding.UTF8.GetBytes(policy)
        : File.Exists(policy) ? File.ReadAllBytes(policy)
        : throw new CofferException(ErrorCode.InvalidArgument, $"--policy expects a CAM policy as JSON (starting with '{{') or a file of it; '{policy}' is neither (no such file).");
}
