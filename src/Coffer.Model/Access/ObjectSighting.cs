namespace Coffer.Model.Access;

/// <summary>
/// What reading an object's ACL for a decision learnt of the object: whether it is there (<see cref="AccessControl.HasObject"/>'s
/// answer), or null when the decision did not need to read it. Used by one request's flow only.
/// </summary>
public sealed class ObjectSighting
{
    public bool? Exists { get; private set; }

    internal void Seen(bool exists) => Exists = exists;
}
