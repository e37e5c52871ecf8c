using Switchboard.Callbacks;

namespace Switchboard.Tests.Callbacks;

public sealed class RequestSignerTests
{
    [Fact]
    public void Sign_SdkTestVector_MatchesReference()
    {
        // Reference §13.2 A (twilio-python's test vector).
        var signature = RequestSigner.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
        [
            new("CallSid", "CA1234567890ABCDE"), new("Caller", "+14158675309"), new("Digits", "1234"),
            new("From", "+14158675309"), new("To", "+18005551212"),
        ]);
        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", signature);
    }

    [Fact]
    public void Sign_StatusCallbackPost_MatchesReference()
    {
        // Reference §13.2 B: parameters given out of order; the signer sorts names ordinally.
        var signature = RequestSigner.Sign("0123456789abcdef0123456789abcdef", "https://cb.example.com/status?tenant=42",
        [
            new("To", "+14155550100"), new("Timestamp", "Tue, 01 Jul 2025 12:00:12 +0000"), new("SipResponseCode", "200"),
            new("SequenceNumber", "3"), new("From", "+14155550199"), new("Duration", "1"), new("Direction", "outbound-api"),
            new("Caller", "+14155550199"), new("Called", "+14155550100"), new("CallbackSource", "call-progress-events"),
            new("CallStatus", "completed"), new("CallSid", "CAfedcba9876543210fedcba9876543210"), new("CallDuration", "12"),
            new("ApiVersion", "2010-04-01"), new("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ]);
        Assert.Equal("aR42JifKlP9W7tLl4nLUBs16+M0=", signature);
    }

    [Fact]
    public void Sign_GetCallback_SignsTheEncodedUrlAlone()
    {
        // Reference §13.2 C.
        const string url = "https://cb.example.com/status?tenant=42&AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01&CallDuration=12&CallSid=CAfedcba9876543210fedcba9876543210&CallStatus=completed&CallbackSource=call-progress-events&Called=%2B14155550100&Caller=%2B14155550199&Direction=outbound-api&Duration=1&From=%2B14155550199&SequenceNumber=3&SipResponseCode=200&Timestamp=Tue%2C+01+Jul+2025+12%3A00%3A12+%2B0000&To=%2B14155550100";
        Assert.Equal("nHuUlSyrxGsb2w3CdBw4Xia21tM=", RequestSigner.Sign("0123456789abcdef0123456789abcdef", url, []));
    }

    [Theory]
    [InlineData("https://h/x#ct=1000&rt=2000&tt=3000&rc=2&rp=4xx,5xx", 1000, 2000, 3000, 2, RetryOn.Status4xx | RetryOn.Status5xx)]
    [InlineData("https://h/x#ct=1&rt=99999&rc=9", 100, 15000, null, 5, null)]
    [InlineData("https://h/x#rp=all&e=ashburn", null, null, null, null, RetryOn.All)]
    public void ConnectionOverrides_ParseAndClampToTwilioRanges(string url, int? ct, int? rt, int? tt, int? rc, RetryOn? rp)
    {
        var (bare, o) = ConnectionOverrides.Split(url);
        Assert.Equal("https://h/x", bare);
        Assert.Equal(ct, (int?)o.ConnectTimeout?.TotalMilliseconds);
        Assert.Equal(rt, (int?)o.ReadTimeout?.TotalMilliseconds);
        Assert.Equal(tt, (int?)o.TotalTimeout?.TotalMilliseconds);
        Assert.Equal(rc, o.RetryCount);
        Assert.Equal(rp, o.RetryPolicy);
    }
}
