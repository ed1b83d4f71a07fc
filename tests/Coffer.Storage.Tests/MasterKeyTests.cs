using System.Security.Cryptography;
using Coffer.Storage.Encryption;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

public sealed class MasterKeyTests : IDisposable
{
    private readonly TempDirectory _directory = new("master-key");

    [Fact]
    public void LoadOrCreate_CreatesAnOwnerOnlyKeyFile_AndReadsTheSameKeyLater()
    {
        var created = MasterKey.LoadOrCreate(_directory.Path);
        var path = _directory.Combine(MasterKey.FileName);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Convert.FromBase64String(File.ReadAllText(path).Trim()).Should().HaveCount(MasterKey.KeySize);
        MasterKey.LoadOrCreate(_directory.Path).Id.Should().Be(created.Id);
    }

    [Fact]
    public void FromBase64_ReadsTheKeyFileFormat_AndRefusesAnythingButThirtyTwoBytes()
    {
        var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        MasterKey.FromBase64(text + "\n").Id.Should().Be(MasterKey.FromBase64(text).Id);

        var tooShort = () => MasterKey.FromBase64(Convert.ToBase64String(new byte[16]));
        tooShort.Should().Throw<InvalidDataException>();
        var notBase64 = () => MasterKey.FromBase64("not a key");
        notBase64.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void Id_DiffersBetweenKeys_AndDoesNotContainTheKey()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var key = MasterKey.FromBase64(Convert.ToBase64String(bytes));
        key.Id.Should().HaveLength(16).And.NotBe(MasterKey.FromBase64(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Id);
        Convert.ToHexStringLower(bytes).Should().NotContain(key.Id);
    }

    public void Dispose() => _directory.Dispose();
}
