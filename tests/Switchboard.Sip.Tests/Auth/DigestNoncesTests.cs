using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Auth;

namespace Switchboard.Sip.Tests.Auth;

public sealed class DigestNoncesTests
{
    [Fact]
    public void Nonce_IssuedHere_ValidForItsLifetimeOnly()
    {
        var time = new FakeTimeProvider();
        var nonces = new DigestNonces(time);
        var nonce = nonces.Issue();
        Assert.True(nonces.IsValid(nonce));

        time.Advance(DigestNonces.Lifetime);
        Assert.True(nonces.IsValid(nonce));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(nonces.IsValid(nonce));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("abc.def")]
    [InlineData("-1.00")]
    public void Nonce_Malformed_IsInvalid(string nonce) =>
        Assert.False(new DigestNonces(new FakeTimeProvider()).IsValid(nonce));

    [Fact]
    public void Nonce_TamperedOrFromAnotherEndpoint_IsInvalid()
    {
        var time = new FakeTimeProvider();
        var nonce = new DigestNonces(time).Issue();
        Assert.False(new DigestNonces(time).IsValid(nonce));

        var nonces = new DigestNonces(time);
        var ours = nonces.Issue();
        var dot = ours.IndexOf('.', StringComparison.Ordinal);
        Assert.False(nonces.IsValid((long.Parse(ours[..dot], System.Globalization.CultureInfo.InvariantCulture) + 1) + ours[dot..]));
    }
}
