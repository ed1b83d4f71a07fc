namespace Coffer.Model.Objects;

/// <summary>A byte range of an object, ready to stream. <see cref="Open"/> may be called once.</summary>
public sealed record ObjectContent(ObjectInfo Info, long Offset, long Length, Func<Stream> Open);
