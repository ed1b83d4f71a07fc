using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>The permission a conditional delete needs beyond the delete's own.</summary>
internal static class ConditionalDeletes
{
    /// <summary>
    /// Whether the caller may put <paramref name="target"/>'s condition. An If-Match naming an ETag tells whether the
    /// object exists and whether its content hashes to that ETag, so it needs read permission on the object too, as S3
    /// asks for s3:GetObject besides s3:DeleteObject; <c>*</c> needs the delete alone.
    /// </summary>
    public static bool MayCheck(RequestContext context, AccessControl access, ObjectIdentifier target, IReadOnlyDictionary<string, string> conditions) =>
        !target.Condition.ComparesETag
        || Authorizer.IsAllowed(context.Credential, access.ForObject(context.Rules!, target.Key, target.VersionId), target.Key,
            CamActions.For(Operation.GetObject), conditions, context.RequestConditions);
}
