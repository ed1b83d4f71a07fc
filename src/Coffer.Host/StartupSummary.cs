using Coffer.Server;
using Coffer.Server.Accounts;
using Coffer.Storage.Encryption;

namespace Coffer.Host;

internal static class StartupSummary
{
    public static void Print(TextWriter output, Uri address, Uri? console, CofferServerOptions options, string masterKeyId, string metadata,
        bool createdDevAccount)
    {
        var version = typeof(StartupSummary).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        output.WriteLine($"Coffer {version}");
        output.WriteLine($"  data folder  {options.DataDirectory}");
        output.WriteLine($"  metadata     {metadata}");
        output.WriteLine($"  region       {options.Region}");
        output.WriteLine($"  domains      {string.Join(", ", options.DomainSuffixes)}");
        output.WriteLine(options.MasterKey is null
            ? $"  master key   {masterKeyId} (saved in {Path.Combine(options.DataDirectory, MasterKey.FileName)})"
            : $"  master key   {masterKeyId} (from the configuration)");
        var devFile = Path.Combine(options.DataDirectory, AccountSources.DevAccountFile);
        foreach (var account in options.Accounts)
        {
            output.WriteLine($"  account      APPID {account.AppId}  uin {account.Uin}  SecretId {account.SecretId}");
            if (account.DisplayName == "dev")
            {
                output.WriteLine($"               SecretKey {account.SecretKey}");
                output.WriteLine(createdDevAccount
                    ? $"               (a new dev account, saved in {devFile})"
                    : $"               (the dev account saved in {devFile})");
            }
        }

        output.WriteLine(console is null ? "  console      off" : $"  console      {console.ToString().TrimEnd('/')}  (sign in with a SecretId and SecretKey; metrics at /metrics)");
        output.WriteLine($"  health       {address.ToString().TrimEnd('/')}/healthz  {address.ToString().TrimEnd('/')}/readyz");

        // Last, so whoever waits for this line has the whole summary.
        output.WriteLine($"listening on {address.ToString().TrimEnd('/')} (Ctrl-C stops)");
        output.Flush();
    }
}
