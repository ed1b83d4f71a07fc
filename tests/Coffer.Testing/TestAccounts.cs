using Coffer.Model.Accounts;

namespace Coffer.Testing;

public static class TestAccounts
{
    /// <summary>The account of the COS documentation examples.</summary>
    public static readonly Account Owner = new("1250000000", "100000000001", "AKIDexampleOwnerSecretId0000000000", "ownerSecretKeyOwnerSecretKey1234", "owner");

    public static readonly Account Other = new("1250000001", "100000000002", "AKIDexampleOtherSecretId0000000000", "otherSecretKeyOtherSecretKey1234", "other");
}
