using Coffer.Storage.Records;

namespace Coffer.Storage;

/// <summary>Stored key pairs: sub-accounts' keys and temporary keys.</summary>
public interface ICredentialReader
{
    CredentialRecord? Get(string secretId);

    /// <summary>The stored credentials of a root account, sub-accounts' and temporary ones, by uin then creation.</summary>
    IReadOnlyList<CredentialRecord> List(string appId);

    /// <summary>The stored credentials of one identity of a root account, by creation.</summary>
    IReadOnlyList<CredentialRecord> List(string appId, string uin);
}

public interface ICredentialWriter : ICredentialReader
{
    void Insert(CredentialRecord credential);

    /// <summary>Deletes a credential; false when there was none.</summary>
    bool Delete(string secretId);

    /// <summary>Deletes the temporary credentials that expired before <paramref name="now"/>; returns how many.</summary>
    int DeleteExpired(DateTimeOffset now);
}
