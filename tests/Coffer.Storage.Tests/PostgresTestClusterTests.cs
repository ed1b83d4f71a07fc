using System.Diagnostics;
using Coffer.Testing;
using Npgsql;

namespace Coffer.Storage.Tests;

public class PostgresTestClusterTests
{
    // A test host is killed, not asked, once its tests are done: what it started must go without its help.
    [Fact]
    public void PrivateCluster_IsStoppedAndItsFolderRemoved_WhenItsOwnerIsKilled()
    {
        using var scratch = new TempDirectory("pg-owner");
        var directory = scratch.Combine("cluster");
        using var owner = Process.Start(new ProcessStartInfo("sleep", "600"))!;
        try
        {
            var admin = PostgresTestCluster.StartPrivate(directory, owner.Id);
            PostgresTestCluster.Scalar(admin, "SELECT 1").Should().Be(1);

            owner.Kill();
            owner.WaitForExit();
            var waited = Stopwatch.StartNew();
            while (Directory.Exists(directory) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(100);
            }

            Directory.Exists(directory).Should().BeFalse("the watcher removes the cluster's folder once its owner has ended");
            var connect = () => PostgresTestCluster.Scalar(admin, "SELECT 1");
            connect.Should().Throw<NpgsqlException>("the watcher stopped the server first");
        }
        finally
        {
            PostgresTestCluster.Stop(directory);
        }
    }
}
