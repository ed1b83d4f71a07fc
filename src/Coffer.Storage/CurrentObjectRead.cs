using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>What <see cref="IMetadataStore.ReadCurrentObject"/> found, all of it as of one instant.</summary>
/// <param name="Bucket">The bucket; null when none has the name.</param>
/// <param name="Version">The key's latest version (a delete marker included); null when the bucket has none for it.</param>
/// <param name="InlineBody">
/// The body of a version kept as one inline blob, when it was asked for; null for a body in files, in several segments or
/// none. A version whose layout has inline segments but no body here is read again in a snapshot.
/// </param>
public sealed record CurrentObjectRead(BucketRecord? Bucket, ObjectVersionRecord? Version, byte[]? InlineBody);
