using Coffer.Common;
using Coffer.Model.Notifications;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>
/// PUT / GET Bucket notification, in the S3 dialect only: COS has no such public API, and the router answers it in the COS
/// dialect as a sub-resource COS does not know. COS users get the same events, from changes made in either dialect,
/// through a configuration set in the S3 dialect. Targets are the webhooks of the server's configuration, named by ARN.
/// </summary>
internal sealed class NotificationHandlers(ObjectEvents events)
{
    private const int MaxConfigurationBytes = 64 * 1024;

    public async Task PutAsync(RequestContext context)
    {
        var body = await Bodies.ReadVerifiedAsync(context, MaxConfigurationBytes);
        var root = await SafeXml.ReadAsync(new MemoryStream(body), MaxConfigurationBytes, context.Aborted)
            ?? throw new CofferException(ErrorCode.MissingRequestBody);
        var document = NotificationXml.Read(root);
        await events.PutAsync(context.Bucket, new NotificationConfiguration(document.Rules.Select(ToModel).ToArray()), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetAsync(RequestContext context)
    {
        var configuration = events.Get(context.Bucket);
        return Responses.XmlAsync(context, XmlDocumentWriter.Write(new NotificationDocument(configuration.Rules.Select(ToDocument).ToArray())));
    }

    private static NotificationRule ToModel(NotificationRuleDocument rule)
    {
        string? prefix = null, suffix = null;
        foreach (var (name, value) in rule.FilterRules)
        {
            switch (name.ToLowerInvariant())
            {
                case "prefix" when prefix is null:
                    prefix = value;
                    break;
                case "suffix" when suffix is null:
                    suffix = value;
                    break;
                default:
                    throw new CofferException(ErrorCode.InvalidArgument, $"A filter takes one prefix and one suffix rule; '{name}' is not one more of them.");
            }
        }

        return new NotificationRule(
            string.IsNullOrEmpty(rule.Id) ? Guid.NewGuid().ToString("N") : rule.Id,
            rule.Target is { Length: > 0 } target ? target : throw new CofferException(ErrorCode.InvalidArgument, $"A {rule.Kind}Configuration needs its {rule.Kind}."),
            rule.Events,
            prefix,
            suffix,
            rule.Kind);
    }

    private static NotificationRuleDocument ToDocument(NotificationRule rule) => new(
        rule.Kind,
        rule.Id,
        rule.TargetArn,
        rule.Events,
        [.. rule.Prefix is null ? [] : new[] { new KeyValuePair<string, string>("Prefix", rule.Prefix) },
            .. rule.Suffix is null ? [] : new[] { new KeyValuePair<string, string>("Suffix", rule.Suffix) }]);
}
