namespace Coffer.Model.Access;

/// <summary>
/// What reading an object's ACL for a decision learnt of the object: whether it is there (<see cref="AccessControl.HasObject"/>'s
/// answer), or null when the decision did not need to read it.
/// </summary>
public sealed class ObjectSighting
{
    private int _state;

    public bool? Exists => Volatile.Read(ref _state) switch
    {
        1 => true,
        2 => false,
        _ => null,
    };

    internal void Seen(bool exists) => Volatile.Write(ref _state, exists ? 1 : 2);
}
