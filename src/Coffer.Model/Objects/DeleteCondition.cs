using Coffer.Common;
using Coffer.Storage.Records;

namespace Coffer.Model.Objects;

/// <summary>
/// A conditional delete (S3 DeleteObject headers <c>If-Match</c>, <c>x-amz-if-match-last-modified-time</c>,
/// <c>x-amz-if-match-size</c>; DeleteObjects' <c>ETag</c>, <c>LastModifiedTime</c>, <c>Size</c> per object), checked
/// against what the delete removes: the named version, else the current object.
/// </summary>
public sealed record DeleteCondition(string? IfMatch, DateTimeOffset? LastModifiedTime, long? Size)
{
    public static DeleteCondition None { get; } = new(null, null, null);

    public bool IsEmpty => this == None;

    /// <summary>
    /// Whether If-Match names an ETag, not only <c>*</c>: its answer tells whether the object's content hashes to that
    /// ETag, so S3 asks for read permission besides the delete's.
    /// </summary>
    public bool ComparesETag => IfMatch is not null && IfMatch.Split(',').Any(t => t.Trim() != "*");

    /// <summary>
    /// Throws unless the delete may go on. With no version at all, If-Match fails (NoSuchKey, or NoSuchVersion for a
    /// named version) as on a conditional write, while a time or size condition alone lets the delete succeed as S3
    /// documents those. A delete marker (the latest version, or the one named) has no ETag to match: If-Match on it is
    /// PreconditionFailed, as S3's conditional-delete guide answers.
    /// </summary>
    public void Check(ObjectVersionRecord? target, bool namedVersion)
    {
        if (target is null)
        {
            if (IfMatch is not null)
            {
                throw namedVersion
                    ? new CofferException(ErrorCode.NoSuchVersion, "If-Match names a version that does not exist.")
                    : new CofferException(ErrorCode.NoSuchKey, "If-Match names an object that does not exist.");
            }

            return;
        }

        if (target.IsDeleteMarker)
        {
            if (IfMatch is not null)
            {
                throw new CofferException(ErrorCode.PreconditionFailed, "If-Match finds a delete marker, which has no ETag.");
            }

            return;
        }

        if (IfMatch is not null && !Preconditions.MatchesAny(IfMatch, target.ETag))
        {
            throw new CofferException(ErrorCode.PreconditionFailed, "The object's ETag does not match If-Match.");
        }

        // Last-Modified is sent in whole seconds: the stored time is compared at that precision.
        if (LastModifiedTime is { } time && time.ToUnixTimeSeconds() != target.LastModified.ToUnixTimeSeconds())
        {
            throw new CofferException(ErrorCode.PreconditionFailed, "The object's last modification time does not match.");
        }

        if (Size is { } size && size != target.Size)
        {
            throw new CofferException(ErrorCode.PreconditionFailed, "The object's size does not match.");
        }
    }
}
