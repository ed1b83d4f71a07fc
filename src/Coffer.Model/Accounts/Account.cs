namespace Coffer.Model.Accounts;

/// <summary>A COS root account: the APPID that suffixes its bucket names, its uin, and one key pair.</summary>
public sealed record Account(string AppId, string Uin, string SecretId, string SecretKey, string DisplayName)
{
    /// <summary>The owner id COS shows in listings: <c>qcs::cam::uin/&lt;uin&gt;:uin/&lt;uin&gt;</c>.</summary>
    public string OwnerId => $"qcs::cam::uin/{Uin}:uin/{Uin}";
}
