using System.Text;
using Coffer.Common;
using Coffer.Model.Access;

namespace Coffer.Model.Tests.Access;

public sealed class AccessPolicyTests
{
    private const string Bucket = "examplebucket-1250000000";
    private const string Cos = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000";
    private const string Sub = "qcs::cam::uin/100000000001:uin/100000000011";

    /// <summary>The GET Bucket policy example of the COS API documentation, element names as it spells them.</summary>
    private const string CosDocumentationExample =
        """{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000001:uin/100000000001"]},"Effect":"allow","Action":["name/cos:GetBucket"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"],"Sid":"policy01"}],"version":"2.0"}""";

    [Fact]
    public void Parse_ReadsTheCosDocumentationExample()
    {
        var policy = Parse(CosDocumentationExample);
        var statement = policy.Statements.Should().ContainSingle().Subject;
        statement.Effect.Should().Be(PolicyEffect.Allow);
        statement.Principals.Should().Equal("qcs::cam::uin/100000000001:uin/100000000001");
        statement.Actions.Should().Equal("cos:GetBucket");
        statement.Resources.Should().Equal($"{Cos}/*");
    }

    [Fact]
    public void Parse_ReadsTheAwsSyntax_IntoTheSameModel()
    {
        var policy = Parse("""
            { "Version": "2012-10-17", "Statement": { "Effect": "Deny", "Principal": { "AWS": ["arn:aws:iam::100000000002:root", "*"] },
              "Action": "s3:PutObject", "Resource": "arn:aws:s3:::examplebucket-1250000000/*",
              "Condition": { "NotIpAddress": { "aws:SourceIp": "10.0.0.0/8" }, "StringLike": { "s3:prefix": ["logs/*"] } } } }
            """);
        var statement = policy.Statements.Single();
        statement.Effect.Should().Be(PolicyEffect.Deny);
        statement.Principals.Should().Equal("qcs::cam::uin/100000000002:uin/100000000002", AccessPolicy.Anyone);
        statement.Conditions.Should().BeEquivalentTo(new[]
        {
            new PolicyCondition("ip_not_equal", "qcs:ip", ["10.0.0.0/8"]),
            new PolicyCondition("string_like", "cos:prefix", ["logs/*"]),
        });
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"version":"1.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*"}]}""")]
    [InlineData("""{"version":2,"statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":true,"principal":{"qcs":["*"]},"action":"*","resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"maybe","principal":{"qcs":["*"]},"action":"*","resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["someone"]},"action":"*","resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"notaction":"*","resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":[],"resource":"*"}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*","condition":{"string_sounds_like":{"cos:prefix":"x"}}}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*","condition":{"numeric_less_than":{"cos:content-length":"ten"}}}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*","condition":{"bool_equal":{"cos:secure-transport":"yes"}}}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*","condition":{"ip_equal":{"qcs:ip":"not-an-ip"}}}]}""")]
    [InlineData("""{"version":"2.0","statement":[{"effect":"allow","principal":{"service":"ec2.amazonaws.com"},"action":"*","resource":"*"}]}""")]
    public void Parse_RefusesWhatItCannotEvaluateExactly_AsMalformedPolicy(string json)
    {
        var parse = () => Parse(json);
        parse.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MalformedPolicy);
    }

    [Fact]
    public void Parse_AnswersMalformedPolicy_ForAnAwsPolicyWithItsPrincipalAtTheTopOnly()
    {
        // Only CAM's grammar (version 2.0) has a top-level principal; AWS refuses a statement without one.
        var parse = () => Parse("""
            { "Version": "2012-10-17", "Principal": { "AWS": "*" },
              "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::examplebucket-1250000000/*" }] }
            """);
        parse.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MalformedPolicy);
    }

    [Fact]
    public void Parse_KeepsAStatementsOwnPrincipal_OverTheTopLevelOne()
    {
        var policy = Parse($$"""
            {"version":"2.0","principal":{"qcs":["*"]},"statement":[
              {"effect":"allow","principal":{"qcs":["{{Sub}}"]},"action":"name/cos:GetObject","resource":"{{Cos}}/*"},
              {"effect":"allow","action":"name/cos:GetBucket","resource":"{{Cos}}/*"}]}
            """);
        policy.Statements.Select(s => s.Principals).Should().BeEquivalentTo(new[] { new[] { Sub }, new[] { AccessPolicy.Anyone } },
            o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData("date_greater_than")]
    [InlineData("DateLessThan")]
    [InlineData("BinaryEquals")]
    [InlineData("DateGreaterThanIfExists")]
    [InlineData("ForAnyValue:StringEqualsIfExists")]
    [InlineData("ForAnyValue:StringLike")]
    [InlineData("ForAllValues:StringEquals")]
    [InlineData("for_any_value:string_equal")]
    [InlineData("for_all_value:string_equal")]
    public void Parse_ReturnsNotImplemented_ForAnOperatorDefinedButNotEvaluatedHere(string op)
    {
        var parse = () => Parse(AllowAllWhen(op, "cos:prefix", "x"));
        parse.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NotImplemented);
    }

    [Theory]
    [InlineData("s3:ExistingObjectTag/team")]
    [InlineData("aws:PrincipalTag/Team")]
    public void RequireEvaluableConditions_ReturnsNotImplemented_NamingTheKeyAsThePolicySpellsIt(string key)
    {
        var require = () => Parse(AllowAllWhen("StringEquals", key, "x")).RequireEvaluableConditions();
        var error = require.Should().Throw<CofferException>().Which;
        error.Code.Should().Be(ErrorCode.NotImplemented);
        error.Message.Should().StartWith($"Condition key '{key}' is not implemented");
    }

    [Theory]
    [InlineData("NumericEquals", "10", "10.0", true)]
    [InlineData("numeric_equal", "10", "11", false)]
    [InlineData("NumericNotEquals", "10", "11", true)]
    [InlineData("numeric_not_equal", "10", "10", false)]
    [InlineData("NumericLessThan", "10", "9.5", true)]
    [InlineData("numeric_less_than", "10", "10", false)]
    [InlineData("NumericLessThanEquals", "10", "10", true)]
    [InlineData("numeric_greater_than", "10", "10", false)]
    [InlineData("NumericGreaterThan", "10", "100", true)]
    [InlineData("numeric_greater_than_equal", "10", "9", false)]
    [InlineData("NumericGreaterThanEquals", "10", "10", true)]
    [InlineData("NumericLessThan", "10", "not-a-number", false)]
    [InlineData("Bool", "true", "TRUE", true)]
    [InlineData("bool_equal", "false", "true", false)]
    public void Evaluate_NumericAndBoolOperators_CompareTheRequestsValue_AsANumberOrABoolean(string op, string policyValue, string requestValue, bool holds)
    {
        var policy = Parse(AllowAllWhen(op, "cos:content-length", policyValue));
        var request = AccessRequest.For(["cos:PutObject", "s3:PutObject"], "ap-guangzhou", "1250000000", Bucket, "a",
            new Dictionary<string, string> { ["cos:content-length"] = requestValue });
        policy.Evaluate(request, null).Should().Be(holds ? PolicyDecision.Allow : PolicyDecision.NotApplicable);
    }

    [Theory]
    [InlineData("Null", "true", null, true)]
    [InlineData("Null", "true", "a", false)]
    [InlineData("null_equal", "false", "a", true)]
    [InlineData("Null", "false", null, false)]
    [InlineData("StringEqualsIfExists", "a", null, true)]
    [InlineData("StringEqualsIfExists", "a", "a", true)]
    [InlineData("string_equal_if_exist", "a", "b", false)]
    [InlineData("StringNotEqualsIfExists", "a", "a", false)]
    [InlineData("StringLikeIfExists", "a*", "abc", true)]
    [InlineData("ArnLikeIfExists", "arn:aws:s3:::a*", "arn:aws:s3:::b", false)]
    [InlineData("NumericLessThanIfExists", "10", null, true)]
    [InlineData("NumericLessThanIfExists", "10", "11", false)]
    [InlineData("IpAddressIfExists", "10.0.0.0/8", "192.0.2.1", false)]
    [InlineData("BoolIfExists", "true", "true", true)]
    [InlineData("StringNotEqualsIfExists", "a", null, true)]
    public void Evaluate_NullAndIfExistsOperators_HoldOnAnAbsentKey_ElseTheBaseOperatorDecides(string op, string policyValue, string? requestValue, bool holds)
    {
        var policy = Parse(AllowAllWhen(op, "aws:SourceArn", policyValue));
        var context = requestValue is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["aws:sourcearn"] = requestValue };
        var request = AccessRequest.For(["cos:PutObject", "s3:PutObject"], "ap-guangzhou", "1250000000", Bucket, "a", context);
        policy.Evaluate(request, null).Should().Be(holds ? PolicyDecision.Allow : PolicyDecision.NotApplicable);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("arn:aws:s3:::a")]
    public void Evaluate_NullWithTrueAndFalse_HoldsWhetherTheKeyIsPresentOrNot(string? requestValue)
    {
        var policy = Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
             "Condition":{"Null":{"aws:SourceArn":["true","false"]}}}]}
            """);
        var context = requestValue is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["aws:sourcearn"] = requestValue };
        var request = AccessRequest.For(["cos:PutObject", "s3:PutObject"], "ap-guangzhou", "1250000000", Bucket, "a", context);
        policy.Evaluate(request, null).Should().Be(PolicyDecision.Allow);
    }

    [Fact]
    public void Evaluate_DenyWithStringEqualsIfExists_AppliesWhenTheKeyIsAbsent()
    {
        var policy = Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*",
             "Condition":{"StringEqualsIfExists":{"aws:SourceArn":"arn:aws:s3:::a"}}}]}
            """);
        var request = AccessRequest.For(["cos:PutObject", "s3:PutObject"], "ap-guangzhou", "1250000000", Bucket, "a", new Dictionary<string, string>());
        policy.Evaluate(request, null).Should().Be(PolicyDecision.Deny);
    }

    [Theory]
    [InlineData("IpAddress", "aws:SourceIp", "10.0.0.0/32", false)]
    [InlineData("StringEquals", "aws:SourceAccount", "100000000001", false)]
    [InlineData("ArnLike", "aws:SourceArn", "arn:aws:s3:::source-1250000000", false)]
    [InlineData("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/32", true)]
    [InlineData("NotIpAddress", "aws:SourceIp", "10.0.0.0/32", true)]
    [InlineData("StringLike", "aws:SourceAccount", "*", true)]
    [InlineData("Null", "aws:SourceArn", "false", true)]
    [InlineData("StringEquals", "s3:x-amz-acl", "private", true)]
    [InlineData("IpAddress", "aws:SourceIp", "0.0.0.0/0", true)]
    [InlineData("IpAddress", "aws:SourceIp", "::/0", true)]
    [InlineData("ip_equal", "qcs:ip", "0.0.0.0/0", true)]
    [InlineData("IpAddress", "aws:SourceIp", "10.0.0.0/7", true)]
    [InlineData("IpAddress", "aws:SourceIp", "10.0.0.0/8", false)]
    [InlineData("IpAddress", "aws:SourceIp", "2001:db8::/31", true)]
    [InlineData("IpAddress", "aws:SourceIp", "2001:db8::/32", false)]
    [InlineData("IpAddress", "aws:SourceIp", "192.0.2.1", false)]
    [InlineData("ArnLike", "aws:SourceArn", "arn:aws:s3:::source-125000000?", true)]
    public void IsPublic_AnAllowForEveryone_IsPublicUnlessAConditionPinsAFixedSource(string op, string key, string value, bool isPublic) =>
        Parse(AllowAllWhen(op, key, value)).IsPublic.Should().Be(isPublic);

    [Theory]
    [InlineData("Null", "maybe")]
    [InlineData("NullIfExists", "true")]
    [InlineData("NumericLessThanIfExists", "ten")]
    [InlineData("StringEqualsIfExist", "a")]
    [InlineData("ip_equal_if_exists", "10.0.0.0/8")]
    [InlineData("string_equalIfExists", "a")]
    public void Parse_RefusesANullOrIfExistsConditionItCannotEvaluate_AsMalformedPolicy(string op, string value)
    {
        var parse = () => Parse(AllowAllWhen(op, "aws:SourceArn", value));
        parse.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MalformedPolicy);
    }

    [Fact]
    public void Parse_ReadsTheAwsInventoryDestinationPolicy_ServicePrincipalArnLikeAndSourceConditions()
    {
        var policy = Parse("""
            {"Version":"2012-10-17","Statement":[{"Sid":"InventoryExamplePolicy","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
             "Action":"s3:PutObject","Resource":["arn:aws:s3:::dest-1250000001/*"],
             "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::source-1250000000"},
                          "StringEquals":{"aws:SourceAccount":"100000000001","s3:x-amz-acl":"bucket-owner-full-control"}}}]}
            """);
        var statement = policy.Statements.Single();
        statement.Principals.Should().Equal(AccessPolicy.InventoryService);
        statement.Conditions.Should().BeEquivalentTo(new[]
        {
            new PolicyCondition("arn_like", "aws:sourcearn", ["arn:aws:s3:::source-1250000000"]),
            new PolicyCondition("string_equal", "aws:sourceaccount", ["100000000001"]),
            new PolicyCondition("string_equal", "cos:x-cos-acl", ["bucket-owner-full-control"]),
        });
    }

    [Fact]
    public void Parse_RefusesPrincipals_InAnIdentitysOwnPolicy_AndPoliciesOverTheSizeLimit()
    {
        var withPrincipal = () => AccessPolicy.Parse(Encoding.UTF8.GetBytes(CosDocumentationExample), bucketPolicy: false);
        withPrincipal.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MalformedPolicy);
        var huge = $$"""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"{{new string('a', AccessPolicy.MaxBytes)}}"}]}""";
        var tooBig = () => Parse(huge);
        tooBig.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MalformedPolicy);
    }

    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("logs/*", "logs/", true)]
    [InlineData("logs/*", "logs/2026/a.gz", true)]
    [InlineData("logs/*", "log/a", false)]
    [InlineData("*.gz", "a/b.gz", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Like_MatchesWildcards(string pattern, string text, bool matches) => AccessPolicy.Like(pattern, text).Should().Be(matches);

    [Fact]
    public void Evaluate_AllowsWhatAStatementCovers_AndADenyWins()
    {
        var policy = Parse($$"""
            {"version":"2.0","statement":[
              {"effect":"allow","principal":{"qcs":["{{Sub}}"]},"action":["name/cos:Get*"],"resource":["{{Cos}}/*"]},
              {"effect":"deny","principal":{"qcs":["{{Sub}}"]},"action":["name/cos:GetObject"],"resource":["{{Cos}}/secret/*"]}]}
            """);
        Func<string, bool> sub = p => p == Sub;

        policy.Evaluate(Request("GetBucketInventory", null), sub).Should().Be(PolicyDecision.Allow);
        policy.Evaluate(Request("GetObject", "public/a"), sub).Should().Be(PolicyDecision.Allow);
        policy.Evaluate(Request("GetObject", "secret/a"), sub).Should().Be(PolicyDecision.Deny);
        policy.Evaluate(Request("PutBucketInventory", null), sub).Should().Be(PolicyDecision.NotApplicable);
        policy.Evaluate(Request("GetObject", "public/a"), p => false).Should().Be(PolicyDecision.NotApplicable, "the statements name someone else");
        policy.Evaluate(Request("GetObject", "public/a"), null).Should().Be(PolicyDecision.NotApplicable, "anonymous is not the sub-account");
    }

    [Fact]
    public void Evaluate_TestsTheSourceAddressAndThePrefix()
    {
        var policy = Parse($$"""
            {"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":["cos:GetBucket"],"resource":["{{Cos}}/*"],
              "condition":{"ip_equal":{"qcs:ip":["10.0.0.0/8","192.168.1.7"]},"string_like":{"cos:prefix":"logs/*"} } }]}
            """);

        policy.Evaluate(Request("GetBucket", null, ip: "10.1.2.3", prefix: "logs/2026"), null).Should().Be(PolicyDecision.Allow);
        policy.Evaluate(Request("GetBucket", null, ip: "192.168.1.7", prefix: "logs/"), null).Should().Be(PolicyDecision.Allow);
        policy.Evaluate(Request("GetBucket", null, ip: "192.168.1.8", prefix: "logs/"), null).Should().Be(PolicyDecision.NotApplicable);
        policy.Evaluate(Request("GetBucket", null, ip: "10.1.2.3", prefix: "other/"), null).Should().Be(PolicyDecision.NotApplicable);
        policy.Evaluate(Request("GetBucket", null, ip: "10.1.2.3"), null).Should().Be(PolicyDecision.NotApplicable, "a listing without a prefix is not under logs/");
    }

    [Fact]
    public void Evaluate_MatchesS3ActionsAndResources_ForAwsStylePolicies()
    {
        var policy = Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket-1250000000/*"}]}
            """);
        policy.Evaluate(Request("GetObject", "a", s3: "GetObject"), null).Should().Be(PolicyDecision.Allow);
        policy.Evaluate(Request("PutObject", "a", s3: "PutObject"), null).Should().Be(PolicyDecision.NotApplicable);
    }

    /// <summary>A COS policy allowing everything when one condition holds.</summary>
    private static string AllowAllWhen(string op, string key, string value) =>
        $$$$"""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["*"]},"action":"*","resource":"*","condition":{"{{{{op}}}}":{"{{{{key}}}}":"{{{{value}}}}"}}}]}""";

    private static AccessPolicy Parse(string json) => AccessPolicy.Parse(Encoding.UTF8.GetBytes(json), bucketPolicy: true);

    private static AccessRequest Request(string cosAction, string? key, string? ip = null, string? prefix = null, string? s3 = null)
    {
        var context = new Dictionary<string, string>();
        if (ip is not null)
        {
            context["qcs:ip"] = ip;
        }

        if (prefix is not null)
        {
            context["cos:prefix"] = prefix;
        }

        return AccessRequest.For(["cos:" + cosAction, "s3:" + (s3 ?? cosAction)], "ap-guangzhou", "1250000000", Bucket, key, context);
    }
}
