using Coffer.Model.Access;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Pipeline;

/// <summary>
/// The request's <c>x-cos-*</c> / <c>x-amz-*</c> values as policy conditions read them, looked up one at a time when a
/// policy tests one. A browser form upload is judged by its form fields (<c>acl</c> as the ACL header), which the
/// upload obeys, never by the HTTP headers around the form.
/// </summary>
internal sealed class ConditionHeaders(IHeaderDictionary headers, IReadOnlyDictionary<string, string>? formFields, string prefix) : IConditionHeaders
{
    public string? Find(string suffix)
    {
        var name = prefix + suffix;
        if (formFields is not null)
        {
            return formFields.GetValueOrDefault(name);
        }

        return headers.TryGetValue(name, out var value) ? value.ToString() : null;
    }
}
