using Switchboard.Calls;
using Switchboard.TwiML;

namespace Switchboard.Tests.TwiML;

public sealed class DialParserTests
{
    private static DialVerb ParseDial(string xml)
    {
        var result = TwimlParser.Parse(xml);
        Assert.True(result.Success, result.Error?.Message);
        return Assert.IsType<DialVerb>(Assert.Single(result.Document.Verbs));
    }

    private static TwimlError Fails(string xml, int code)
    {
        var result = TwimlParser.Parse(xml);
        Assert.False(result.Success);
        Assert.Equal(code, result.Error.Code);
        return result.Error;
    }

    [Fact]
    public void Parse_PlainNumber_IsOneNumberNounWithDefaults()
    {
        var dial = ParseDial("<Response><Dial>+1 (415) 555-0100</Dial></Response>");
        var noun = Assert.Single(dial.Nouns);
        Assert.Equal(DialNounKind.Number, noun.Kind);
        Assert.Equal("+14155550100", noun.Target);
        Assert.Equal(CallbackEvent.Completed, noun.StatusCallbackEvents);
        Assert.Equal(30, dial.Timeout);
        Assert.Equal(14400, dial.TimeLimit);
        Assert.Equal("POST", dial.Method);
        Assert.Null(dial.Action);
    }

    [Fact]
    public void Parse_AllAttributesAndNouns_AreRead()
    {
        var dial = ParseDial("""
            <Response>
              <Dial action="/after" method="GET" timeout="12" timeLimit="60" callerId="+15550001111"
                    answerOnBridge="true" hangupOnStar="true" record="record-from-answer">
                <Number statusCallbackEvent="initiated ringing answered completed" statusCallback="https://cb.example.com/n"
                        statusCallbackMethod="GET" url="/whisper" method="GET" sendDigits="ww123">+14155550100</Number>
                <Sip username="u" password="p" statusCallback="https://cb.example.com/s">sip:alice@example.com</Sip>
                <Client><Identity>alice</Identity><Parameter name="k" value="v"/></Client>
                <Client>bob</Client>
              </Dial>
            </Response>
            """);
        Assert.Equal("/after", dial.Action);
        Assert.Equal("GET", dial.Method);
        Assert.Equal(12, dial.Timeout);
        Assert.Equal(60, dial.TimeLimit);
        Assert.True(dial.AnswerOnBridge);
        Assert.True(dial.HangupOnStar);
        Assert.Equal("record-from-answer", dial.Record);
        Assert.Equal(4, dial.Nouns.Count);
        var number = dial.Nouns[0];
        Assert.Equal(CallbackEvent.Initiated | CallbackEvent.Ringing | CallbackEvent.Answered | CallbackEvent.Completed, number.StatusCallbackEvents);
        Assert.Equal(("https://cb.example.com/n", "GET", "/whisper", "GET", "ww123"),
            (number.StatusCallback, number.StatusCallbackMethod, number.Url, number.Method, number.SendDigits));
        Assert.Equal((DialNounKind.Sip, "sip:alice@example.com", "u", "p"), (dial.Nouns[1].Kind, dial.Nouns[1].Target, dial.Nouns[1].Username, dial.Nouns[1].Password));
        Assert.Equal("client:alice", dial.Nouns[2].Target);
        Assert.Equal("client:bob", dial.Nouns[3].Target);
    }

    [Theory]
    [InlineData("1", 5)]
    [InlineData("9999", 600)]
    public void Parse_TimeoutOutOfRange_IsClamped(string timeout, int expected) =>
        Assert.Equal(expected, ParseDial($"<Response><Dial timeout=\"{timeout}\">+14155550100</Dial></Response>").Timeout);

    [Theory]
    [InlineData("<Response><Dial></Dial></Response>", 12200)]
    [InlineData("<Response><Dial/></Response>", 12200)]
    [InlineData("<Response><Dial>not a number</Dial></Response>", 13224)]
    [InlineData("<Response><Dial><Number>12</Number></Dial></Response>", 13224)]
    [InlineData("<Response><Dial><Sip>alice@example.com</Sip></Dial></Response>", 13224)]
    [InlineData("<Response><Dial><Client></Client></Dial></Response>", 13224)]
    [InlineData("<Response><Dial><Conference>room</Conference></Dial></Response>", 12200)]
    [InlineData("<Response><Dial><Foo/></Dial></Response>", 12200)]
    [InlineData("<Response><Dial><Number><Say>x</Say>+14155550100</Number></Dial></Response>", 12200)]
    [InlineData("<Response><Dial>+14155550100<Number>+14155550101</Number></Dial></Response>", 12200)]
    [InlineData("<Response><Dial timeout=\"abc\">+14155550100</Dial></Response>", 12200)]
    [InlineData("<Response><Dial method=\"PUT\">+14155550100</Dial></Response>", 12200)]
    [InlineData("<Response><Dial timeLimit=\"0\">+14155550100</Dial></Response>", 12200)]
    [InlineData("<Response><Dial record=\"loud\">+14155550100</Dial></Response>", 12200)]
    [InlineData("<Response><Dial answerOnBridge=\"maybe\">+14155550100</Dial></Response>", 12200)]
    [InlineData("<Response><Dial><Number statusCallbackEvent=\"rang\">+14155550100</Number></Dial></Response>", 12200)]
    [InlineData("<Response><Dial><Number>+14155550100</Number>", 12100)]
    public void Parse_MalformedDial_FailsWithCode(string xml, int code) => Fails(xml, code);

    [Fact]
    public void Parse_ElevenNouns_Fails()
    {
        var nouns = string.Concat(Enumerable.Range(0, 11).Select(i => $"<Number>+1415555{i:0000}</Number>"));
        Fails($"<Response><Dial>{nouns}</Dial></Response>", 12200);
    }
}
