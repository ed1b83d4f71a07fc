namespace Coffer.Protocol.Tests.Inventory;

/// <summary>Inventory configurations as documented (cos-wire.md, the seed documents) and as each SDK sends them.</summary>
internal static class InventoryExamples
{
    /// <summary>cos-wire.md §1.3: the PUT example with every element, the And filter and a Period.</summary>
    public const string DocumentedPut = """
        <InventoryConfiguration>
          <Id>list1</Id>
          <IsEnabled>true</IsEnabled>
          <Destination><COSBucketDestination>
              <Format>CSV</Format>
              <AccountId>100000000001</AccountId>
              <Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket>
              <Prefix>list1</Prefix>
              <Encryption><SSE-COS></SSE-COS></Encryption>
          </COSBucketDestination></Destination>
          <Schedule><Frequency>Daily</Frequency></Schedule>
          <Filter>
             <And><Prefix>myPrefix</Prefix><Tag><Key>age</Key><Value>18</Value></Tag></And>
             <Period><StartTime>1568688761</StartTime><EndTime>1568688762</EndTime></Period>
          </Filter>
          <IncludedObjectVersions>All</IncludedObjectVersions>
          <OptionalFields>
             <Field>Size</Field><Field>LastModifiedDate</Field><Field>ETag</Field><Field>StorageClass</Field>
             <Field>IsMultipartUploaded</Field><Field>ReplicationStatus</Field><Field>Tag</Field>
             <Field>Crc64</Field><Field>x-cos-meta-myheader</Field>
          </OptionalFields>
        </InventoryConfiguration>
        """;

    /// <summary>The canonical form Coffer writes for <see cref="DocumentedPut"/>.</summary>
    public const string DocumentedPutCanonical =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled>" +
        "<Destination><COSBucketDestination><Format>CSV</Format><AccountId>100000000001</AccountId>" +
        "<Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Prefix>list1</Prefix>" +
        "<Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination>" +
        "<Schedule><Frequency>Daily</Frequency></Schedule>" +
        "<Filter><And><Prefix>myPrefix</Prefix><Tag><Key>age</Key><Value>18</Value></Tag></And>" +
        "<Period><StartTime>1568688761</StartTime><EndTime>1568688762</EndTime></Period></Filter>" +
        "<IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>LastModifiedDate</Field>" +
        "<Field>ETag</Field><Field>StorageClass</Field><Field>IsMultipartUploaded</Field><Field>ReplicationStatus</Field>" +
        "<Field>Tag</Field><Field>Crc64</Field><Field>x-cos-meta-myheader</Field></OptionalFields></InventoryConfiguration>";

    /// <summary>Seed 000 (POST Bucket inventory), the request body syntax: a tag filter whose key and value say "string".</summary>
    public const string SeedPostSyntax = """
        <InventoryConfiguration>
            <Id>list1</Id>
            <Destination>
                <COSBucketDestination>
                    <Format>CSV</Format>
                    <AccountId>100000000001</AccountId>
                    <Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket>
                    <Prefix>list1</Prefix>
                    <Encryption>
                        <SSE-COS></SSE-COS>
                    </Encryption>
                </COSBucketDestination>
            </Destination>
            <Filter>
            	<And>
                	<Prefix>myPrefix</Prefix>
                    <Tag>
                        <Key>string</Key>
                        <Value>string</Value>
                    </Tag>
                </And>
            </Filter>
            <IncludedObjectVersions>All</IncludedObjectVersions>
            <OptionalFields>
                <Field>Size</Field>
                <Field>LastModifiedDate</Field>
                <Field>ETag</Field>
                <Field>StorageClass</Field>
                <Field>IsMultipartUploaded</Field>
                <Field>ReplicationStatus</Field>
        	</OptionalFields>
        </InventoryConfiguration>
        """;

    /// <summary>Seed 001 (POST Bucket inventory, newer page), the request body syntax: Crc64 and a literal <c>x-cos-meta-*</c> field.</summary>
    public const string SeedPostSyntaxWithCrc64 = """
        <InventoryConfiguration>
        <Id>inventory-id</Id>
        <Destination>
        <COSBucketDestination>
        <Format>CSV</Format>
        <AccountId>100000000001</AccountId>
        <Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket>
        <Prefix>cos_bucket_inventory</Prefix>
        <Encryption>
        <SSE-COS></SSE-COS>
        </Encryption>
        </COSBucketDestination>
        </Destination>
        <Filter>
        <And>
        <Prefix>myPrefix</Prefix>
        <Tag>
        <Key>string</Key>
        <Value>string</Value>
        </Tag>
        </And>
        </Filter>
        <IncludedObjectVersions>All</IncludedObjectVersions>
        <OptionalFields>
        <Field>Size</Field>
        <Field>LastModifiedDate</Field>
        <Field>ETag</Field>
        <Field>StorageClass</Field>
        <Field>IsMultipartUploaded</Field>
        <Field>ReplicationStatus</Field>
        <Field>Tag</Field>
        <Field>Crc64</Field>
        <Field>x-cos-meta-*</Field>
        </OptionalFields>
        </InventoryConfiguration>
        """;

    /// <summary>Seed 000 (POST Bucket inventory): note the declaration missing its closing '?' and the placeholder namespace.</summary>
    public const string SeedPost = """
        <?xml version = "1.0" encoding = "UTF-8">
        <InventoryConfiguration xmlns = "http://....">
            <Id>disposable</Id>
            <Destination>
                <COSBucketDestination>
                    <Format>CSV</Format>
                    <AccountId>100000000001</AccountId>
                    <Bucket>qcs::cos:ap-guangzhou::inventorybucket-1250000000</Bucket>
                </COSBucketDestination>
            </Destination>
            <Filter>
            	<And>
                	<Prefix>myPrefix</Prefix>
                    <Tag>
                        <Key>age</Key>
                        <Value>18</Value>
                    </Tag>
                </And>
            </Filter>
            <IncludedObjectVersions>All</IncludedObjectVersions>
            <OptionalFields>
                <Field>Size</Field>
                <Field>LastModifiedDate</Field>
                <Field>StorageClass</Field>
                <Field>ETag</Field>
                <Field>Tag</Field>
        	</OptionalFields>
        </InventoryConfiguration>
        """;

    /// <summary>Seed 002 (GET Bucket inventory), the response example: the old Prefix-only filter shape.</summary>
    public const string SeedGet = """
        <?xml version = "1.0" encoding = "UTF-8">
        <InventoryConfiguration xmlns = "http://....">
            <Id>list1</Id>
            <IsEnabled>true</IsEnabled>
            <Destination>
                <COSBucketDestination>
                    <Format>CSV</Format>
                    <AccountId>1250000000</AccountId>
                    <Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket>
                    <Prefix>list1</Prefix>
                    <Encryption>
                        <SSE-COS></SSE-COS>
                    </Encryption>
                </COSBucketDestination>
            </Destination>
            <Schedule>
                <Frequency>Daily</Frequency>
            </Schedule>
            <Filter>
                <Prefix>myPrefix</Prefix>
            </Filter>
            <IncludedObjectVersions>All</IncludedObjectVersions>
            <OptionalFields>
                <Field>Size</Field>
                <Field>LastModifiedDate</Field>
                <Field>ETag</Field>
                <Field>StorageClass</Field>
                <Field>IsMultipartUploaded</Field>
                <Field>ReplicationStatus</Field>
        	</OptionalFields>
        </InventoryConfiguration>
        """;

    /// <summary>cos-wire.md §5.1: the bytes cos-nodejs-sdk-v5 3.0.0 sends.</summary>
    public const string NodeSdkPut =
        "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format>" +
        "<AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Prefix>list1</Prefix>" +
        "<Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency>" +
        "</Schedule><Filter><Prefix>myPrefix</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields>" +
        "<Field>Size</Field><Field>LastModifiedDate</Field><Field>ETag</Field><Field>StorageClass</Field></OptionalFields></InventoryConfiguration>";

    /// <summary>cos-wire.md §5.2: the bytes cos-python-sdk-v5 sends (declaration, SSECOS, Id last).</summary>
    public const string PythonSdkPut =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<InventoryConfiguration><Destination><COSBucketDestination>" +
        "<AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Format>CSV</Format>" +
        "<Prefix>list1</Prefix><Encryption><SSECOS></SSECOS></Encryption></COSBucketDestination></Destination><IsEnabled>true</IsEnabled>" +
        "<Filter><Prefix>filterPrefix</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field>" +
        "<Field>LastModifiedDate</Field><Field>ETag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule>" +
        "<Id>list1</Id></InventoryConfiguration>";

    /// <summary>cos-wire.md §5.3: the shape cos-go-sdk-v5 writes (And/Prefix always, MonthlyDate, IsEnabled True, empty fields).</summary>
    public const string GoSdkPut =
        "<InventoryConfiguration><Id>monthly</Id><IsEnabled>True</IsEnabled><IncludedObjectVersions>Current</IncludedObjectVersions>" +
        "<Filter><And><Prefix>logs/</Prefix><StorageClass>STANDARD_IA</StorageClass></And></Filter><OptionalFields></OptionalFields>" +
        "<Schedule><Frequency>Monthly</Frequency><MonthlyDate>15</MonthlyDate></Schedule><Destination><COSBucketDestination>" +
        "<Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Format>ORC</Format><Encryption><SSE-COS></SSE-COS></Encryption>" +
        "</COSBucketDestination></Destination></InventoryConfiguration>";

    /// <summary>The AWS S3 API reference example of PutBucketInventoryConfiguration.</summary>
    public const string AwsPut = """
        <?xml version="1.0" encoding="UTF-8"?>
        <InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
           <Id>report1</Id>
           <IsEnabled>true</IsEnabled>
           <Filter>
              <Prefix>filterPrefix</Prefix>
           </Filter>
           <Destination>
              <S3BucketDestination>
                 <Format>CSV</Format>
                 <AccountId>123456789012</AccountId>
                 <Bucket>arn:aws:s3:::destination-bucket</Bucket>
                 <Prefix>prefix1</Prefix>
                 <Encryption>
                    <SSE-KMS>
                       <KeyId>arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab</KeyId>
                    </SSE-KMS>
                 </Encryption>
              </S3BucketDestination>
           </Destination>
           <Schedule>
              <Frequency>Daily</Frequency>
           </Schedule>
           <IncludedObjectVersions>All</IncludedObjectVersions>
           <OptionalFields>
              <Field>Size</Field>
              <Field>LastModifiedDate</Field>
              <Field>ETag</Field>
              <Field>StorageClass</Field>
              <Field>IsMultipartUploaded</Field>
              <Field>ReplicationStatus</Field>
              <Field>EncryptionStatus</Field>
              <Field>ObjectLockRetainUntilDate</Field>
              <Field>ObjectLockMode</Field>
              <Field>ObjectLockLegalHoldStatus</Field>
           </OptionalFields>
        </InventoryConfiguration>
        """;
}
