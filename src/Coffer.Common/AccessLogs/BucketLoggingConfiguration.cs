namespace Coffer.Common.AccessLogs;

/// <summary>How access-log objects are named in the target bucket (S3's TargetObjectKeyFormat).</summary>
public enum LogKeyFormat
{
    /// <summary><c>&lt;prefix&gt;YYYY-mm-DD-HH-MM-SS-&lt;unique&gt;</c>, the default.</summary>
    Simple,

    /// <summary><c>&lt;prefix&gt;&lt;account&gt;/&lt;region&gt;/&lt;bucket&gt;/YYYY/mm/DD/YYYY-mm-DD-HH-MM-SS-&lt;unique&gt;</c>.</summary>
    Partitioned,
}

/// <summary>Which time dates a partitioned log object: when its first request arrived, or when it was written.</summary>
public enum LogPartitionDate
{
    EventTime,
    DeliveryTime,
}

/// <summary>A bucket's server access logging: the bucket the log objects go to, their key prefix and how their keys are formed.</summary>
public sealed record BucketLoggingConfiguration(
    string TargetBucket,
    string TargetPrefix,
    LogKeyFormat KeyFormat = LogKeyFormat.Simple,
    LogPartitionDate PartitionDate = LogPartitionDate.EventTime);
