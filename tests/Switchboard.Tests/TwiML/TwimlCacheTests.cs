using Switchboard.Callbacks;
using Switchboard.TwiML;

namespace Switchboard.Tests.TwiML;

public sealed class TwimlCacheTests
{
    [Fact]
    public void SameText_ParsedOnce_TheDocumentIsShared()
    {
        var cache = new TwimlCache();
        // Equal text in different string instances, as two calls' Twiml parameters are.
        var first = cache.Parse(new string("<Response><Say>Hi</Say><Hangup/></Response>".AsSpan()));
        var second = cache.Parse(new string("<Response><Say>Hi</Say><Hangup/></Response>".AsSpan()));

        Assert.True(first.Success);
        Assert.Same(first, second);
        Assert.Equal([typeof(SayVerb), typeof(HangupVerb)], first.Document.Verbs.Select(v => v.GetType()));
    }

    [Fact]
    public void MalformedText_TheSameErrorAsTheParser()
    {
        var cache = new TwimlCache();
        var cached = cache.Parse("<Response><Say>unclosed</Response>");
        var again = cache.Parse("<Response><Say>unclosed</Response>");

        Assert.False(cached.Success);
        Assert.Same(cached, again);
        Assert.Equal(TwimlParser.Parse("<Response><Say>unclosed</Response>").Error!.Code, cached.Error.Code);
    }

    [Fact]
    public void LargeDocument_NotKept_AndAFullCacheStartsOver()
    {
        var cache = new TwimlCache();
        var large = "<Response><Say>" + new string('a', TwimlCache.MaxDocumentChars) + "</Say></Response>";
        Assert.NotSame(cache.Parse(large), cache.Parse(large));

        var kept = cache.Parse("<Response><Pause/></Response>");
        for (var i = 0; i < TwimlCache.MaxEntries; i++)
        {
            cache.Parse($"<Response><Pause length=\"{i + 1}\"/></Response>");
        }
        // Emptied once full: the first document is parsed again, still to an equal result.
        var reparsed = cache.Parse("<Response><Pause/></Response>");
        Assert.NotSame(kept, reparsed);
        Assert.Equal(kept.Document!.Verbs, reparsed.Document!.Verbs);
    }

    [Theory]
    [InlineData("CallSid", "CA0123")]
    [InlineData("To", "+14155550100")]
    [InlineData("Caller Name", "Ünïcødé & co = 100% ~ok")]
    [InlineData("Empty", "")]
    public void FormEncode_AsUriEscapeDataString(string key, string value)
    {
        var parameters = new[] { KeyValuePair.Create("A", "1"), KeyValuePair.Create(key, value), KeyValuePair.Create("B", new string('x', 3000)) };
        var expected = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        Assert.Equal(expected, WebhookClient.FormEncode(parameters));
    }
}
