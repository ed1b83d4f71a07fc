using Coffer.Common;
using Coffer.Model.Batch;
using Coffer.Protocol.Errors;
using Coffer.Protocol.Routing;

namespace Coffer.Server.Batch;

/// <summary>A task's error as the completion report writes it: the job's dialect's code and the HTTP status, from the one error table.</summary>
internal static class BatchErrors
{
    public static (string Code, int Status) Describe(string errorCode, BatchDialect dialect)
    {
        if (!Enum.TryParse<ErrorCode>(errorCode, out var code))
        {
            return (errorCode, 500);
        }

        var descriptor = ErrorTable.Get(code);
        return (descriptor.CodeFor(dialect == BatchDialect.S3 ? Dialect.S3 : Dialect.Cos), descriptor.Status);
    }
}
