using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Tests;

public sealed class CamActionsTests
{
    [Fact]
    public void For_HasARow_ForEveryOperation()
    {
        foreach (var operation in Enum.GetValues<Operation>())
        {
            CamActions.For(operation).Cos.Should().NotBeEmpty(operation.ToString());
        }
    }

    [Theory]
    [InlineData(Operation.PutBucketInventoryConfiguration, "cos:PutBucketInventory")]
    [InlineData(Operation.GetBucketInventoryConfiguration, "cos:GetBucketInventory")]
    [InlineData(Operation.DeleteBucketInventoryConfiguration, "cos:DeleteBucketInventory")]
    [InlineData(Operation.ListBucketInventoryConfigurations, "cos:ListBucketInventory")]
    [InlineData(Operation.ListBucketInventoryConfigurations, "cos:GetBucketInventory")]
    [InlineData(Operation.PostBucketInventory, "cos:PostBucketInventory")]
    [InlineData(Operation.PutObject, "cos:PutObject")]
    [InlineData(Operation.CopyObject, "cos:PutObject")]
    [InlineData(Operation.CreateMultipartUpload, "cos:InitiateMultipartUpload")]
    [InlineData(Operation.ListObjects, "cos:GetBucket")]
    [InlineData(Operation.ListObjectVersions, "cos:GetBucketObjectVersions")]
    [InlineData(Operation.ListBuckets, "cos:GetService")]
    [InlineData(Operation.GetObject, "s3:GetObject")]
    [InlineData(Operation.ListObjectsV2, "s3:ListBucket")]
    [InlineData(Operation.PutBucketInventoryConfiguration, "s3:PutInventoryConfiguration")]
    public void For_NamesTheDocumentedAction(Operation operation, string action) => CamActions.For(operation).Names.Should().Contain(action);

    [Theory]
    [InlineData(Operation.GetObject, AclPermission.Read)]
    [InlineData(Operation.ListObjects, AclPermission.Read)]
    [InlineData(Operation.PutObject, AclPermission.Write)]
    [InlineData(Operation.DeleteObject, AclPermission.Write)]
    [InlineData(Operation.PutBucketInventoryConfiguration, AclPermission.None)]
    [InlineData(Operation.PutBucketAcl, AclPermission.WriteAcp)]
    [InlineData(Operation.GetBucketAcl, AclPermission.ReadAcp)]
    [InlineData(Operation.PutObjectAcl, AclPermission.WriteAcp)]
    public void For_GivesTheAclPermissionAGrantAllows(Operation operation, AclPermission acl) => CamActions.For(operation).Acl.Should().Be(acl);
}
