using Coffer.Model.Access;

namespace Coffer.Server.Pipeline;

/// <summary>
/// What looking up a request's bucket rules answered: not looked up (a request that names no bucket, or CreateBucket,
/// whose bucket has no rules yet; or one that failed before the lookup or in it otherwise, the database away), the bucket
/// missing, or these rules. One value, so the rules and whether the lookup answered cannot disagree.
/// </summary>
internal readonly record struct BucketRulesLookup
{
    private BucketRulesLookup(BucketAccessRules? rules, bool answered)
    {
        Rules = rules;
        Answered = answered;
    }

    /// <summary>No answer to go by: whoever needs the rules reads them.</summary>
    public static BucketRulesLookup NotLookedUp => default;

    /// <summary>The lookup answered NoSuchBucket: there are no rules to read again.</summary>
    public static BucketRulesLookup BucketMissing => new(null, answered: true);

    /// <summary>The bucket's rules, read once for the request, authorized by them and recorded by them.</summary>
    public static BucketRulesLookup Found(BucketAccessRules rules) => new(rules, answered: true);

    /// <summary>The bucket's rules, when the lookup found them.</summary>
    public BucketAccessRules? Rules { get; }

    /// <summary>Whether the lookup answered, with the rules or with the bucket missing.</summary>
    public bool Answered { get; }
}
