using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Batch;
using Coffer.Model.Objects;

namespace Coffer.Batch;

/// <summary>A manifest that cannot be read into tasks: the job fails with <see cref="Code"/> before any task runs.</summary>
public sealed class ManifestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// Reads a job's manifest into tasks, streaming, in manifest order: a CSV list (<c>bucket,key[,versionId]</c> in the
/// columns <c>Fields</c> names, keys URL-encoded), or an inventory report's <c>manifest.json</c> (S3's or COS's), whose CSV
/// files are read in the order listed, each checked against the MD5 the manifest gives. Each object is read only when
/// <c>mayRead</c> (bucket, key, versionId) says the job's creator may read it.
/// </summary>
public sealed class ManifestReader(IObjectService objects, Func<string, string, string?, bool> mayRead)
{
    public const string InvalidManifestContent = "InvalidManifestContent";

    public IEnumerable<BatchTask> Read(BatchManifest manifest)
    {
        var content = Get(manifest.Bucket, manifest.Key, manifest.VersionId);
        if (!string.Equals(content.Info.ETag, manifest.ETag.Trim('"'), StringComparison.OrdinalIgnoreCase))
        {
            throw new ManifestException("ManifestETagMismatch", $"The manifest's ETag is now {content.Info.ETag}, not {manifest.ETag.Trim('"')}.");
        }

        return manifest.IsInventoryReport ? ReadInventory(manifest, content) : ReadCsv(manifest, content);
    }

    /// <summary>Reads one of the manifest's objects, refusing before the read (so nothing of it shows) what the creator may not read.</summary>
    private ObjectContent Get(string bucket, string key, string? versionId) => mayRead(bucket, key, versionId)
        ? objects.GetObject(bucket, key, versionId)
        : throw new CofferException(ErrorCode.AccessDenied, $"Access Denied. The job's creator may not read the manifest object {bucket}/{key}.");

    private static IEnumerable<BatchTask> ReadCsv(BatchManifest manifest, ObjectContent content)
    {
        var bucketColumn = IndexOf(manifest.Fields, "Bucket");
        var keyColumn = IndexOf(manifest.Fields, "Key");
        var versionColumn = IndexOf(manifest.Fields, "VersionId");
        using var stream = content.Open();
        foreach (var task in Rows(stream, $"{manifest.Key}", manifest.Fields.Count, bucketColumn, keyColumn, versionColumn, appIdColumn: -1, plusIsSpace: false))
        {
            yield return task;
        }
    }

    private IEnumerable<BatchTask> ReadInventory(BatchManifest manifest, ObjectContent content)
    {
        JsonDocument document;
        using (var stream = content.Open())
        {
            try
            {
                document = JsonDocument.Parse(stream);
            }
            catch (JsonException error)
            {
                throw new ManifestException(InvalidManifestContent, $"The inventory manifest is not JSON: {error.Message}");
            }
        }

        using (document)
        {
            var root = document.RootElement;
            var format = Text(root, "fileFormat");
            if (!string.Equals(format, "CSV", StringComparison.OrdinalIgnoreCase))
            {
                throw new ManifestException(InvalidManifestContent, $"Only CSV inventory reports can be a job's manifest, not {format}.");
            }

            var schema = Text(root, "fileSchema").Split(',', StringSplitOptions.TrimEntries);
            var keyColumn = IndexOf(schema, "Key");
            var bucketColumn = IndexOf(schema, "Bucket");
            if (keyColumn < 0 || bucketColumn < 0)
            {
                throw new ManifestException(InvalidManifestContent, "Required fields are missing in the schema: Bucket, Key.");
            }

            var versionColumn = IndexOf(schema, "VersionId");
            // COS reports name buckets without their APPID and give it in a column of its own.
            var appIdColumn = IndexOf(schema, "Appid");
            if (!root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
            {
                throw new ManifestException(InvalidManifestContent, "The inventory manifest lists no files.");
            }

            foreach (var file in files.EnumerateArray())
            {
                var key = Text(file, "key");
                var md5 = file.TryGetProperty("MD5checksum", out var s3Md5) ? s3Md5.GetString() : Text(file, "md5Checksum");
                var data = Get(manifest.Bucket, key, null);
                using var raw = data.Open();
                using var hashing = new HashingStream(raw);
                using var gzip = new GZipStream(hashing, CompressionMode.Decompress);
                // Inventory reports encode keys as forms do: S3's writes a space as '+' (and '+' as %2B); Coffer's writes neither bare.
                foreach (var task in Rows(gzip, key, schema.Length, bucketColumn, keyColumn, versionColumn, appIdColumn, plusIsSpace: true))
                {
                    yield return task;
                }

                hashing.Drain();
                if (!string.Equals(hashing.Md5Hex(), md5, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ManifestException(InvalidManifestContent, $"The report file {key} does not have the MD5 its manifest lists.");
                }
            }
        }
    }

    private static IEnumerable<BatchTask> Rows(Stream stream, string file, int columns, int bucketColumn, int keyColumn, int versionColumn, int appIdColumn,
        bool plusIsSpace)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        var lines = new BoundedLines(reader, MaxRowLength);
        var fields = new List<string>(columns);
        var line = 0;
        while (ReadLine(lines, file, line + 1) is { } text)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            if (!CsvLine.Split(text, fields) || fields.Count != columns)
            {
                throw new ManifestException(InvalidManifestContent,
                    $"Row {line} of {file} is not a CSV row of {columns} fields: {Shorten(text)}");
            }

            var bucket = fields[bucketColumn];
            if (appIdColumn >= 0)
            {
                bucket = $"{bucket}-{fields[appIdColumn]}";
            }

            string key;
            try
            {
                key = UrlEncoding.Decode(fields[keyColumn], plusIsSpace);
            }
            catch (CofferException)
            {
                throw new ManifestException(InvalidManifestContent, $"Row {line} of {file} has a key that is not URL-encoded UTF-8: {Shorten(text)}");
            }

            if (bucket.Length == 0 || key.Length == 0)
            {
                throw new ManifestException(InvalidManifestContent, $"Row {line} of {file} has no bucket or no key: {Shorten(text)}");
            }

            var version = versionColumn >= 0 && fields[versionColumn].Length > 0 ? fields[versionColumn] : null;
            yield return new BatchTask(bucket, key, version);
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static int IndexOf(IReadOnlyList<string> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new ManifestException(InvalidManifestContent, $"The inventory manifest has no '{name}'.");

    /// <summary>
    /// The longest row read (64 Ki characters): a key is at most 1,024 bytes, 3,072 characters URL-encoded, and an
    /// inventory row's other columns are short. A longer row is refused before it is held whole, so one line of a
    /// manifest (or of a small gzip file that inflates to gigabytes) cannot take the server's memory.
    /// </summary>
    private const int MaxRowLength = 64 * 1024;

    /// <summary>
    /// A line of a manifest's file. An inventory report's file that is not gzip, as its manifest says it is (one altered
    /// after the manifest was written), is the manifest's fault; a CSV manifest is read as it is and never fails so.
    /// </summary>
    private static string? ReadLine(BoundedLines lines, string file, int line)
    {
        try
        {
            return lines.Next();
        }
        catch (InvalidDataException error)
        {
            throw new ManifestException(InvalidManifestContent, $"The report file {file} is not gzip, as its manifest says: {error.Message}");
        }
        catch (BoundedLines.TooLongException)
        {
            throw new ManifestException(InvalidManifestContent, $"Row {line} of {file} is longer than {MaxRowLength} characters.");
        }
    }

    /// <summary>Computes the MD5 of what passes through it.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _md5.AppendData(buffer[..read]);
            return read;
        }

        /// <summary>Reads what is left (gzip may stop before the end of the file).</summary>
        public void Drain()
        {
            var buffer = new byte[81920];
            while (Read(buffer) > 0)
            {
            }
        }

        public string Md5Hex() => Convert.ToHexStringLower(_md5.GetHashAndReset());

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _md5.Dispose();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>One CSV line split into fields: unquoted, or quoted with doubled quotes inside (RFC 4180, no line breaks in fields).</summary>
internal static class CsvLine
{
    public static bool Split(string line, List<string> fields)
    {
        fields.Clear();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                var text = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            text.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    text.Append(line[i++]);
                }

                fields.Add(text.ToString());
                if (i == line.Length)
                {
                    return true;
                }

                if (line[i] != ',')
                {
                    return false;
                }

                i++;
                continue;
            }

            var comma = line.IndexOf(',', i);
            var field = comma < 0 ? line[i..] : line[i..comma];
            if (field.Contains('"', StringComparison.Ordinal))
            {
                return false;
            }

            fields.Add(field);
            if (comma < 0)
            {
                return true;
            }

            i = comma + 1;
        }
    }
}
