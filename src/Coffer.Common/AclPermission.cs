namespace Coffer.Common;

/// <summary>
/// Which ACL permission an operation needs. <see cref="Read"/>, <see cref="ReadAcp"/> and <see cref="WriteAcp"/> are read
/// from the object's ACL when the operation names one, else from the bucket's; <see cref="Write"/> is always the bucket's
/// (writing or deleting an object). <c>FULL_CONTROL</c> grants all four.
/// </summary>
public enum AclPermission
{
    None,
    Read,
    Write,
    ReadAcp,
    WriteAcp,
}
