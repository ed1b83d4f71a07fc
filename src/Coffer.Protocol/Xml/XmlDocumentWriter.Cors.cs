using System.Globalization;
using Coffer.Common.Cors;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

public static partial class XmlDocumentWriter
{
    /// <summary>GET Bucket cors: the rules as they were put (and COS's ResponseVary when it was given).</summary>
    public static byte[] Write(CorsConfiguration configuration, Dialect dialect) => Build("CORSConfiguration", dialect, w =>
    {
        foreach (var rule in configuration.Rules)
        {
            w.WriteStartElement("CORSRule");
            if (rule.Id is not null)
            {
                Element(w, "ID", rule.Id);
            }

            foreach (var (name, values) in new[]
                     {
                         ("AllowedOrigin", rule.AllowedOrigins), ("AllowedMethod", rule.AllowedMethods), ("AllowedHeader", rule.AllowedHeaders),
                         ("ExposeHeader", rule.ExposeHeaders),
                     })
            {
                foreach (var value in values)
                {
                    Element(w, name, value);
                }
            }

            if (rule.MaxAgeSeconds is { } age)
            {
                Element(w, "MaxAgeSeconds", age.ToString(CultureInfo.InvariantCulture));
            }

            w.WriteEndElement();
        }

        if (dialect == Dialect.Cos && configuration.ResponseVary is { } vary)
        {
            Element(w, "ResponseVary", Bool(vary));
        }
    });
}
