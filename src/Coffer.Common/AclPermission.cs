namespace Coffer.Common;

/// <summary>Which ACL permission an operation needs: what a <c>public-read</c> or <c>public-read-write</c> bucket grants everyone.</summary>
public enum AclPermission
{
    None,
    Read,
    Write,
}
