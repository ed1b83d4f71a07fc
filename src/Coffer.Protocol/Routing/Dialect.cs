namespace Coffer.Protocol.Routing;

/// <summary>Which vocabulary a request speaks: COS (q-sign, x-cos-*) or S3 (SigV4, x-amz-*). Responses answer in kind.</summary>
public enum Dialect
{
    Cos,
    S3,
}
