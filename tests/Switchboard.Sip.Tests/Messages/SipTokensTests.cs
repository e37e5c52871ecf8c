using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Messages;

/// <summary>Random tokens drawn from a per-thread pool: well-formed, never repeated, within and across threads and pool refills.</summary>
public sealed class SipTokensTests
{
    [Fact]
    public void Tokens_ManyAcrossPoolRefillsAndThreads_AreWellFormedAndUnique()
    {
        var branches = new System.Collections.Concurrent.ConcurrentBag<string>();
        var tags = new System.Collections.Concurrent.ConcurrentBag<string>();
        var callIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            // 1,000 calls' worth of tokens per thread: many times the pool's size.
            for (var i = 0; i < 1_000; i++)
            {
                branches.Add(SipTokens.NewBranch());
                tags.Add(SipTokens.NewTag());
                callIds.Add(SipTokens.NewCallId("example.com"));
            }
        });

        Assert.All(branches, b => Assert.Matches("^z9hG4bK[0-9a-f]{16}$", b));
        Assert.All(tags, t => Assert.Matches("^[0-9a-f]{16}$", t));
        Assert.All(callIds, c => Assert.Matches("^[0-9a-f]{24}@example.com$", c));
        Assert.Equal(branches.Count, branches.Distinct().Count());
        Assert.Equal(tags.Count, tags.Distinct().Count());
        Assert.Equal(callIds.Count, callIds.Distinct().Count());
    }

    [Fact]
    public void NewSequence_IsAFirstCSeqBelowTwoToTheSixteen_AndVaries()
    {
        var values = Enumerable.Range(0, 2_000).Select(_ => SipTokens.NewSequence()).ToList();

        Assert.All(values, v => Assert.InRange(v, 1u, 65_535u));
        Assert.True(values.Distinct().Count() > 1_900, $"{values.Distinct().Count()} distinct of 2,000");
    }
}
