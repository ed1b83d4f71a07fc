using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Model.Batch;

/// <summary>
/// How a job is stored: its spec and tags as JSON in an envelope with a format number; a chunk's tasks and results in a
/// compact binary form (a chunk of a million-object job is read and written once per thousand tasks).
/// </summary>
public static class BatchCodec
{
    private const int Format = 1;
    private const byte BinaryFormat = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static byte[] EncodeSpec(BatchJobSpec spec) => JsonSerializer.SerializeToUtf8Bytes(new SpecEnvelope(Format, spec), Options);

    public static BatchJobSpec DecodeSpec(byte[] body)
    {
        var envelope = JsonSerializer.Deserialize<SpecEnvelope>(body, Options) ?? throw new InvalidDataException("An empty batch job record.");
        return envelope.Format == Format ? envelope.Spec : throw new InvalidDataException($"Unknown batch job format {envelope.Format}.");
    }

    public static byte[]? EncodeTags(IReadOnlyList<KeyValuePair<string, string>> tags) =>
        tags.Count == 0 ? null : JsonSerializer.SerializeToUtf8Bytes(tags.Select(t => new[] { t.Key, t.Value }).ToArray(), Options);

    public static IReadOnlyList<KeyValuePair<string, string>> DecodeTags(byte[]? body) =>
        body is null ? [] : JsonSerializer.Deserialize<string[][]>(body, Options)!.Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToArray();

    /// <summary>Tasks: a table of the buckets they name, then per task its bucket's index, key and version id (empty: none).</summary>
    public static byte[] EncodeTasks(IReadOnlyList<BatchTask> tasks)
    {
        var buffer = new ArrayBufferWriter<byte>(tasks.Count * 48);
        buffer.Write([BinaryFormat]);
        var buckets = new List<string>();
        var indexes = new int[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            var index = buckets.IndexOf(tasks[i].Bucket);
            if (index < 0)
            {
                index = buckets.Count;
                buckets.Add(tasks[i].Bucket);
            }

            indexes[i] = index;
        }

        WriteNumber(buffer, buckets.Count);
        foreach (var bucket in buckets)
        {
            WriteText(buffer, bucket);
        }

        WriteNumber(buffer, tasks.Count);
        for (var i = 0; i < tasks.Count; i++)
        {
            WriteNumber(buffer, indexes[i]);
            WriteText(buffer, tasks[i].Key);
            WriteText(buffer, tasks[i].VersionId ?? "");
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static IReadOnlyList<BatchTask> DecodeTasks(byte[] body)
    {
        var reader = new Reader(body);
        var buckets = new string[reader.Number()];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = reader.Text();
        }

        var tasks = new BatchTask[reader.Number()];
        for (var i = 0; i < tasks.Length; i++)
        {
            var bucket = buckets[reader.Number()];
            var key = reader.Text();
            var version = reader.Text();
            tasks[i] = new BatchTask(bucket, key, version.Length == 0 ? null : version);
        }

        return tasks;
    }

    /// <summary>Results worth keeping (failures, and successes with a message of their own), each with its task's index in the chunk.</summary>
    public static byte[]? EncodeResults(IReadOnlyList<(int Index, BatchTaskResult Result)> results)
    {
        if (results.Count == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(results.Count * 64);
        buffer.Write([BinaryFormat]);
        WriteNumber(buffer, results.Count);
        foreach (var (index, result) in results)
        {
            WriteNumber(buffer, index);
            WriteNumber(buffer, result.Succeeded ? 1 : 0);
            WriteText(buffer, result.ErrorCode);
            WriteText(buffer, result.Message);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static IReadOnlyList<(int Index, BatchTaskResult Result)> DecodeResults(byte[]? body)
    {
        if (body is null)
        {
            return [];
        }

        var reader = new Reader(body);
        var results = new (int, BatchTaskResult)[reader.Number()];
        for (var i = 0; i < results.Length; i++)
        {
            var index = reader.Number();
            var succeeded = reader.Number() == 1;
            var code = reader.Text();
            results[i] = (index, new BatchTaskResult(succeeded, code, reader.Text()));
        }

        return results;
    }

    private static void WriteNumber(ArrayBufferWriter<byte> buffer, int value)
    {
        var span = buffer.GetSpan(5);
        var written = 0;
        var remaining = (uint)value;
        while (remaining >= 0x80)
        {
            span[written++] = (byte)(remaining | 0x80);
            remaining >>= 7;
        }

        span[written++] = (byte)remaining;
        buffer.Advance(written);
    }

    private static void WriteText(ArrayBufferWriter<byte> buffer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteNumber(buffer, length);
        Encoding.UTF8.GetBytes(text, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private sealed record SpecEnvelope(int Format, BatchJobSpec Spec);

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _body;
        private int _position;

        public Reader(byte[] body)
        {
            _body = body;
            if (body.Length == 0 || body[0] != BinaryFormat)
            {
                throw new InvalidDataException("Unknown batch chunk format.");
            }

            _position = 1;
        }

        public int Number()
        {
            uint value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _body[_position++];
                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return (int)value;
                }
            }
        }

        public string Text()
        {
            var length = Number();
            var text = Encoding.UTF8.GetString(_body.Slice(_position, length));
            _position += length;
            return text;
        }
    }
}
