namespace Coffer.Model.Notifications;

/// <summary>
/// Who made the request a change came from, as event notifications tell it. The request pipeline sets it for the
/// duration of a request (it flows into the transactions the request runs); changes made by Coffer itself have none.
/// </summary>
public sealed record RequestOrigin(string? PrincipalId, string? SourceIp, string? RequestId)
{
    private static readonly AsyncLocal<RequestOrigin?> Ambient = new();

    public static RequestOrigin? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }
}
