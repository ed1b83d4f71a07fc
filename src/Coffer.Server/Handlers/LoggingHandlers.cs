using System.Text;
using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Buckets;
using Coffer.Protocol.Xml;
using Coffer.Server.AccessLogs;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>
/// PUT / GET Bucket logging, in both dialects (same document; COS answers both with 200 and an empty PUT body, as S3
/// does). An empty <c>BucketLoggingStatus</c> turns logging off; GET without logging answers it empty.
/// </summary>
internal sealed class LoggingHandlers(BucketSettings settings, AccessControl access, TimeProvider time)
{
    public async Task PutAsync(RequestContext context)
    {
        var configuration = LoggingXml.Read(await AccessHandlers.ReadDocumentAsync(context), context.Dialect);
        if (configuration is not null)
        {
            var rules = context.Rules ?? access.Rules(context.Bucket);
            var destination = new LogDestination(rules.Bucket.Name, rules.OwnerUin, rules.Bucket.Region, configuration);
            // The target's checks first (a missing target answers as such), on a key delivery would write now. Every key
            // delivery writes is as long as this one: its dates and suffix are fixed-width.
            var sample = AccessLogDeliveryService.SampleLogKey(destination, time.GetUtcNow());
            LogDeliveryPermission.Check(access, rules, context.BucketOwner, configuration, sample);
            var length = Encoding.UTF8.GetByteCount(sample);
            if (length > ObjectKey.MaxUtf8Length)
            {
                throw new CofferException(ErrorCode.InvalidArgument,
                    $"TargetPrefix leaves no room for the log objects' names: they would be {length} bytes long, keys are at most {ObjectKey.MaxUtf8Length}.");
            }
        }

        await settings.PutLoggingAsync(context.Bucket, configuration, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(settings.FindLogging(context.Bucket), context.Dialect));
}
