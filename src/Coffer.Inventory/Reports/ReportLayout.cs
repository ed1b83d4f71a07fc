using System.Globalization;
using Coffer.Common;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Reports;

/// <summary>
/// Where a run's files go in the destination bucket.
/// <list type="bullet">
/// <item>COS: <c>[prefix/]appid/source-bucket/config-id/&lt;32 hex&gt;.csv.gz</c> and
/// <c>[prefix/]appid/source-bucket/config-id/YYYYMMDD/manifest.json|manifest.checksum</c> (the bucket without its APPID).</item>
/// <item>S3: <c>[prefix/]source-bucket/config-id/data/&lt;uuid&gt;.csv.gz</c>,
/// <c>[prefix/]source-bucket/config-id/YYYY-MM-DDTHH-MMZ/manifest.json|manifest.checksum</c> and
/// <c>[prefix/]source-bucket/config-id/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt</c>.</item>
/// </list>
/// The date folder is the scan's start (UTC). When a folder already holds a manifest, the next free one is taken
/// (COS: <c>YYYYMMDD-2</c>, <c>-3</c>…; S3: the next minute), so a later run never overwrites an earlier run's manifest.
/// </summary>
public sealed class ReportLayout
{
    private readonly string _root;

    private ReportLayout(InventoryDialect dialect, string root, string dateFolder, string? hiveFolder)
    {
        Dialect = dialect;
        _root = root;
        DateFolder = dateFolder;
        HiveFolder = hiveFolder;
    }

    public InventoryDialect Dialect { get; }

    /// <summary>The date folder of this run (<c>20261122</c> or <c>2026-11-22T08-00Z</c>).</summary>
    public string DateFolder { get; }

    private string? HiveFolder { get; }

    public string ManifestKey => $"{_root}{DateFolder}/manifest.json";

    public string ChecksumKey => $"{_root}{DateFolder}/manifest.checksum";

    /// <summary>S3 only: the Hive-compatible symlink file listing the data files.</summary>
    public string? SymlinkKey => HiveFolder is null ? null : $"{_root}hive/{HiveFolder}/symlink.txt";

    /// <summary>
    /// The layout for a run that scans at <paramref name="scanStart"/>; <paramref name="taken"/> says whether a date
    /// folder already holds a manifest.
    /// </summary>
    public static ReportLayout For(InventoryConfiguration configuration, BucketName source, DateTimeOffset scanStart, Func<string, bool> taken)
    {
        var prefix = string.IsNullOrEmpty(configuration.Destination.Prefix) ? "" : configuration.Destination.Prefix.TrimEnd('/') + "/";
        var utc = scanStart.UtcDateTime;
        if (configuration.Dialect == InventoryDialect.Cos)
        {
            var root = $"{prefix}{source.AppId}/{source.ShortName}/{configuration.Id}/";
            var day = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var folder = day;
            for (var n = 2; taken($"{root}{folder}/manifest.json"); n++)
            {
                folder = $"{day}-{n}";
            }

            return new ReportLayout(InventoryDialect.Cos, root, folder, null);
        }

        var s3Root = $"{prefix}{source.Value}/{configuration.Id}/";
        var minute = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc);
        while (taken($"{s3Root}{S3Folder(minute)}/manifest.json"))
        {
            minute = minute.AddMinutes(1);
        }

        return new ReportLayout(InventoryDialect.S3, s3Root, S3Folder(minute),
            "dt=" + minute.ToString("yyyy-MM-dd-HH-mm", CultureInfo.InvariantCulture));
    }

    /// <summary>A fresh data file name: COS 32 hex characters directly under the configuration, S3 a UUID under <c>data/</c>.</summary>
    public string NewDataKey(string extension) =>
        Dialect == InventoryDialect.Cos
            ? $"{_root}{Guid.NewGuid():N}{extension}"
            : $"{_root}data/{Guid.NewGuid():D}{extension}";

    private static string S3Folder(DateTime minute) => minute.ToString("yyyy-MM-dd'T'HH-mm'Z'", CultureInfo.InvariantCulture);
}
