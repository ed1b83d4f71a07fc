namespace Coffer.Reports.Orc;

/// <summary>A stream as the stripe footer lists it: the reader finds each by adding up the lengths before it.</summary>
internal readonly record struct StreamInfo(OrcStreamKind Kind, int Column, long Length);

internal readonly record struct ColumnEncodingInfo(OrcEncodingKind Kind, int DictionarySize);

internal readonly record struct StripeInformation(long Offset, long IndexLength, long DataLength, long FooterLength, long Rows);

/// <summary>A type in the file's flattened type tree; only the root struct has field names.</summary>
internal readonly record struct TypeInfo(OrcTypeKind Kind, IReadOnlyList<string> FieldNames);

/// <summary>The file tail: what a reader finds behind the last stripe.</summary>
internal sealed record FileTail(
    long ContentLength,
    IReadOnlyList<StripeInformation> Stripes,
    IReadOnlyList<TypeInfo> Types,
    long Rows,
    IReadOnlyList<OrcStatistics> Statistics,
    int RowIndexStride);

/// <summary>The protobuf messages of an ORC file (orc_proto.proto), written field by field.</summary>
internal static class OrcMetadata
{
    /// <summary>
    /// ORC asks each writer to register an id; Coffer has none, so it takes one far above the registered ones (0-5,
    /// given in order), which readers report as an unknown writer and trust as a current one.
    /// </summary>
    public const uint WriterId = 0x436F66;

    /// <summary>The first writer version a writer other than ORC's Java one may use; readers trust its statistics.</summary>
    public const uint WriterVersion = 6;

    public const string Magic = "ORC";

    private const ulong ZlibCompression = 1;
    private const ulong ProlepticGregorianCalendar = 2;
    private static readonly ulong[] FileVersion = [0, 12];

    public static ProtobufWriter RowIndex(IEnumerable<(List<ulong> Positions, OrcStatistics Statistics)> entries)
    {
        const int entryField = 1, positionsField = 1, statisticsField = 2;
        var index = new ProtobufWriter();
        foreach (var (positions, statistics) in entries)
        {
            var entry = new ProtobufWriter();
            entry.WritePacked(positionsField, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(positions));
            entry.WriteMessage(statisticsField, statistics.Serialize());
            index.WriteMessage(entryField, entry);
        }

        return index;
    }

    public static ProtobufWriter StripeFooter(IEnumerable<StreamInfo> streams, IEnumerable<ColumnEncodingInfo> encodings)
    {
        const int streamsField = 1, columnsField = 2, writerTimezoneField = 3;
        const int kindField = 1, columnField = 2, lengthField = 3, dictionarySizeField = 2;
        var footer = new ProtobufWriter();
        foreach (var stream in streams)
        {
            var message = new ProtobufWriter();
            message.WriteUInt64(kindField, (ulong)stream.Kind);
            message.WriteUInt64(columnField, (ulong)stream.Column);
            message.WriteUInt64(lengthField, (ulong)stream.Length);
            footer.WriteMessage(streamsField, message);
        }

        foreach (var encoding in encodings)
        {
            var message = new ProtobufWriter();
            message.WriteUInt64(kindField, (ulong)encoding.Kind);
            if (encoding.Kind == OrcEncodingKind.DictionaryV2)
            {
                message.WriteUInt64(dictionarySizeField, (ulong)encoding.DictionarySize);
            }

            footer.WriteMessage(columnsField, message);
        }

        footer.WriteString(writerTimezoneField, OrcTime.WriterTimezone);
        return footer;
    }

    /// <summary>One StripeStatistics message: the statistics of every column in one stripe, for the Metadata section.</summary>
    public static ProtobufWriter StripeStatistics(IEnumerable<OrcStatistics> columns)
    {
        const int columnStatisticsField = 1;
        var message = new ProtobufWriter();
        foreach (var column in columns)
        {
            message.WriteMessage(columnStatisticsField, column.Serialize());
        }

        return message;
    }

    public static ProtobufWriter Metadata(IEnumerable<ProtobufWriter> stripeStatistics)
    {
        const int stripeStatisticsField = 1;
        var metadata = new ProtobufWriter();
        foreach (var stripe in stripeStatistics)
        {
            metadata.WriteMessage(stripeStatisticsField, stripe);
        }

        return metadata;
    }

    public static ProtobufWriter Footer(FileTail tail)
    {
        const int headerLengthField = 1, contentLengthField = 2, stripesField = 3, typesField = 4, numberOfRowsField = 6;
        const int statisticsField = 7, rowIndexStrideField = 8, writerField = 9, calendarField = 11, softwareVersionField = 12;
        var footer = new ProtobufWriter();
        footer.WriteUInt64(headerLengthField, (ulong)Magic.Length);
        footer.WriteUInt64(contentLengthField, (ulong)tail.ContentLength);
        foreach (var stripe in tail.Stripes)
        {
            footer.WriteMessage(stripesField, Stripe(stripe));
        }

        foreach (var type in tail.Types)
        {
            footer.WriteMessage(typesField, Type(type));
        }

        footer.WriteUInt64(numberOfRowsField, (ulong)tail.Rows);
        foreach (var statistics in tail.Statistics)
        {
            footer.WriteMessage(statisticsField, statistics.Serialize());
        }

        footer.WriteUInt64(rowIndexStrideField, (ulong)tail.RowIndexStride);
        footer.WriteUInt64(writerField, WriterId);
        footer.WriteUInt64(calendarField, ProlepticGregorianCalendar);
        footer.WriteString(softwareVersionField, SoftwareVersion);
        return footer;
    }

    public static ProtobufWriter PostScript(long footerLength, int compressionBlockSize, long metadataLength)
    {
        const int footerLengthField = 1, compressionField = 2, compressionBlockSizeField = 3, versionField = 4;
        const int metadataLengthField = 5, writerVersionField = 6, magicField = 8000;
        var postScript = new ProtobufWriter();
        postScript.WriteUInt64(footerLengthField, (ulong)footerLength);
        postScript.WriteUInt64(compressionField, ZlibCompression);
        postScript.WriteUInt64(compressionBlockSizeField, (ulong)compressionBlockSize);
        postScript.WritePacked(versionField, FileVersion);
        postScript.WriteUInt64(metadataLengthField, (ulong)metadataLength);
        postScript.WriteUInt64(writerVersionField, WriterVersion);
        postScript.WriteString(magicField, Magic);
        return postScript;
    }

    /// <summary>Coffer's version, as the footer's softwareVersion (within the writer its id names).</summary>
    private static string SoftwareVersion { get; } = typeof(OrcMetadata).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static ProtobufWriter Stripe(StripeInformation stripe)
    {
        const int offsetField = 1, indexLengthField = 2, dataLengthField = 3, footerLengthField = 4, numberOfRowsField = 5;
        var message = new ProtobufWriter();
        message.WriteUInt64(offsetField, (ulong)stripe.Offset);
        message.WriteUInt64(indexLengthField, (ulong)stripe.IndexLength);
        message.WriteUInt64(dataLengthField, (ulong)stripe.DataLength);
        message.WriteUInt64(footerLengthField, (ulong)stripe.FooterLength);
        message.WriteUInt64(numberOfRowsField, (ulong)stripe.Rows);
        return message;
    }

    /// <summary>A type; the root struct's children are the types after it, in order (the tree is one level deep).</summary>
    private static ProtobufWriter Type(TypeInfo type)
    {
        const int kindField = 1, subtypesField = 2, fieldNamesField = 3;
        var message = new ProtobufWriter();
        message.WriteUInt64(kindField, (ulong)type.Kind);
        if (type.Kind == OrcTypeKind.Struct)
        {
            var subtypes = new ulong[type.FieldNames.Count];
            for (var i = 0; i < subtypes.Length; i++)
            {
                subtypes[i] = (ulong)(i + 1);
            }

            message.WritePacked(subtypesField, subtypes);
            foreach (var name in type.FieldNames)
            {
                message.WriteString(fieldNamesField, name);
            }
        }

        return message;
    }
}
