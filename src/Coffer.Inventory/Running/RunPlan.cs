using Coffer.Common;
using Coffer.Common.Lifecycle;
using Coffer.Inventory.Reports;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports;

namespace Coffer.Inventory.Running;

/// <summary>How report objects are encrypted at rest when the configuration asks: the algorithm, and for SSE-KMS its key.</summary>
internal sealed record ReportEncryption(string Algorithm, string? KmsKeyId);

/// <summary>
/// What a run's configuration means for the workers of any of its partitions, on any node: the buckets, the columns and
/// format, the filter, what the walk reads (at the run's pinned instant), how report objects are encrypted, where they go.
/// </summary>
internal sealed class RunPlan
{
    private RunPlan(InventoryRun run, string source, BucketName sourceName, string target, ReportSchema schema, IReportFormat format, ReportContext context,
        ReportFilter filter, WalkOptions walk, ReportEncryption? encryption, DeliveryPermission delivery)
    {
        Run = run;
        Source = source;
        SourceName = sourceName;
        Target = target;
        Schema = schema;
        Format = format;
        Context = context;
        Filter = filter;
        Walk = walk;
        Encryption = encryption;
        Delivery = delivery;
    }

    public InventoryRun Run { get; }

    public InventoryConfiguration Configuration => Run.Configuration;

    public string Source { get; }

    public BucketName SourceName { get; }

    public string Target { get; }

    public ReportSchema Schema { get; }

    public IReportFormat Format { get; }

    public ReportContext Context { get; }

    public ReportFilter Filter { get; }

    /// <summary>The whole walk of the run (its prefix, at its instant); a partition narrows it to its range.</summary>
    public WalkOptions Walk { get; }

    public ReportEncryption? Encryption { get; }

    public DeliveryPermission Delivery { get; }

    /// <summary>The key range the run covers: its prefix's.</summary>
    public (string From, string? To) Range => (Walk.Prefix, Walk.Prefix.Length == 0 ? null : ObjectKey.PrefixSuccessor(Walk.Prefix));

    /// <param name="lifecycleOf">The bucket's lifecycle configuration, for the LifecycleExpirationDate column.</param>
    /// <param name="kind">What the report is: a full report's columns, or an incremental or diff report's (see <see cref="ReportSchema.For(InventoryConfiguration, ReportKind)"/>).</param>
    public static RunPlan Create(IObjectService objects, AccountDirectory accounts, AccessControl access, InventoryRun run, string snapshot,
        Func<string, LifecycleConfiguration?>? lifecycleOf, ReportKind kind = ReportKind.Full)
    {
        var configuration = run.Configuration;
        var source = objects.GetBucket(run.Bucket);
        var target = objects.GetBucket(configuration.Destination.Bucket);
        var sourceName = BucketName.Parse(source.Name);
        var schema = ReportSchema.For(configuration, kind);
        var sourceOwner = accounts.FindByAppId(source.OwnerAppId);
        var owner = sourceOwner?.Uin ?? source.OwnerAppId;
        var filter = new ReportFilter(configuration.Filter);
        var walk = new WalkOptions
        {
            Prefix = configuration.Filter.Prefix ?? "",
            AllVersions = configuration.IncludedObjectVersions == IncludedVersions.All,
            WithTags = filter.NeedsTags || schema.Has(ColumnKind.Tag) || schema.Has(ColumnKind.LifecycleExpirationDate),
            WithUserMetadata = schema.Has(ColumnKind.UserMetadata) || schema.Has(ColumnKind.AllUserMetadata),
            WithHeaders = schema.Has(ColumnKind.ChecksumAlgorithm),
            At = snapshot,
        };
        var encryption = configuration.Destination.Encryption switch
        {
            InventoryEncryption.None => null,
            InventoryEncryption.SseKms => new ReportEncryption("aws:kms", configuration.Destination.KmsKeyId),
            _ => new ReportEncryption("AES256", null),
        };
        return new RunPlan(run, source.Name, sourceName, target.Name, schema, ReportFormats.For(configuration.Destination.Format),
            new ReportContext(sourceName.AppId, configuration.Dialect == InventoryDialect.Cos ? sourceName.ShortName : sourceName.Value, owner)
            {
                BucketAcl = schema.Has(ColumnKind.ObjectAccessControlList) ? access.GetBucketAcl(source.Name) : null,
                AclsDisabled = (schema.Has(ColumnKind.ObjectAccessControlList) || schema.Has(ColumnKind.ObjectOwner))
                    && access.Rules(source.Name).Settings.AclsDisabled,
                ExpirationOf = schema.Has(ColumnKind.LifecycleExpirationDate) && lifecycleOf?.Invoke(source.Name) is { } lifecycle
                    ? o => lifecycle.ExpirationOf(o.Key, o.Tags, o.Size, o.CreatedAt)?.Date
                    : null,
            },
            filter, walk, encryption, new DeliveryPermission(access, sourceOwner, source.OwnerAppId, source.Name, target.Name));
    }

    /// <summary>Where the run's files go, for a scan started at <paramref name="scanStart"/> (see <see cref="ReportLayout.For"/>).</summary>
    public ReportLayout Layout(DateTimeOffset scanStart, Func<string, bool> taken) => ReportLayout.For(Configuration, SourceName, scanStart, taken);

    /// <summary>A fresh key for a data file (data files do not depend on the date folder).</summary>
    public string NewDataKey() => Layout(DateTimeOffset.UnixEpoch, _ => false).NewDataKey(Format.Extension);
}
