namespace Coffer.Model.Objects;

/// <summary>GetObjectAttributes: the version, and a page of its parts when it was uploaded in parts (null otherwise).</summary>
public sealed record ObjectAttributes(ObjectInfo Info, ObjectPartsPage? Parts);

/// <summary>
/// A page of a multipart-uploaded object's parts, after a part number marker.
/// </summary>
/// <param name="PartsCount">How many parts the object has, whatever the page holds.</param>
/// <param name="ChecksumAlgorithm">The algorithm of the parts' checksums (<c>SHA256</c>, ...), when the upload had one.</param>
/// <param name="NextPartNumberMarker">The last part on the page (the marker sent when it is empty): where the next page starts.</param>
public sealed record ObjectPartsPage(int PartsCount, string? ChecksumAlgorithm, IReadOnlyList<ObjectPart> Parts, bool IsTruncated, int NextPartNumberMarker);

/// <param name="Checksum">The part's checksum (base64) in the upload's algorithm; null when the upload had none.</param>
public sealed record ObjectPart(int PartNumber, long Size, string? Checksum);
