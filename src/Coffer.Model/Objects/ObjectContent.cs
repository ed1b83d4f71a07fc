namespace Coffer.Model.Objects;

/// <summary>A byte range of an object, ready to stream. <see cref="Open"/> may be called once.</summary>
/// <param name="PartsCount">How many parts the object has, when the range is one part of a multipart-uploaded object.</param>
public sealed record ObjectContent(ObjectInfo Info, long Offset, long Length, Func<Stream> Open, int? PartsCount = null);
