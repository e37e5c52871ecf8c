using System.Text;
using Switchboard.TwiML;

namespace Switchboard.Tests.TwiML;

public sealed class TwimlParserTests
{
    private const string ValidDocument =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response>
          <Say voice="Polly.Joanna" language="en-US" loop="2">Hello <emphasis>there</emphasis></Say>
          <Play loop="0" digits="ww1">https://example.com/a.mp3</Play>
          <Pause length="3"/>
          <Gather input="dtmf"><Say>Press 1</Say></Gather>
          <Redirect method="get">/next</Redirect>
          <Reject reason="busy"/>
          <Hangup/>
        </Response>
        """;

    // Say

    [Fact]
    public void Parse_SayWithoutAttributes_UsesDefaults()
    {
        var verb = ParseSingle("<Response><Say>Hello world</Say></Response>");

        Assert.Equal(new SayVerb("Hello world", null, null, 1), verb);
    }

    [Fact]
    public void Parse_SayWithEveryAttribute_KeepsThem()
    {
        var verb = ParseSingle("""<Response><Say voice="Polly.Joanna" language="en-GB" loop="3">Hi</Say></Response>""");

        Assert.Equal(new SayVerb("Hi", "Polly.Joanna", "en-GB", 3), verb);
    }

    [Fact]
    public void Parse_SayLoopZero_KeepsZeroForRepeatUntilHangup()
    {
        var verb = Assert.IsType<SayVerb>(ParseSingle("""<Response><Say loop="0">Hi</Say></Response>"""));

        Assert.Equal(0, verb.Loop);
    }

    [Fact]
    public void Parse_SayWithWhitespace_CollapsesAndTrims()
    {
        var verb = Assert.IsType<SayVerb>(ParseSingle("<Response><Say>\n   Hello \t\r\n  world\n </Say></Response>"));

        Assert.Equal("Hello world", verb.Text);
    }

    [Fact]
    public void Parse_SayWithEntitiesAndCData_DecodesText()
    {
        var verb = Assert.IsType<SayVerb>(ParseSingle("<Response><Say>Tom &amp; Jerry &lt;3 <![CDATA[a < b]]></Say></Response>"));

        Assert.Equal("Tom & Jerry <3 a < b", verb.Text);
    }

    [Fact]
    public void Parse_SayEmpty_HasEmptyText()
    {
        var verb = Assert.IsType<SayVerb>(ParseSingle("<Response><Say/></Response>"));

        Assert.Equal(string.Empty, verb.Text);
    }

    [Fact]
    public void Parse_SayWithSsml_IncludesTextOfNestedElements()
    {
        const string xml =
            """
            <Response>
              <Say voice="Polly.Joanna">
                Hi <prosody rate="slow" pitch="low">there</prosody>,<break time="1s"/>friend.
                <emphasis level="strong">Really</emphasis>
                <say-as interpret-as="spell-out">abc</say-as>
                <amazon:effect name="whispered">quiet</amazon:effect>
                <amazon:domain name="news">news</amazon:domain>
                <sub alias="World Wide Web">WWW</sub>
                <phoneme alphabet="ipa" ph="təˈmɑːtəʊ">tomato</phoneme>
                <lang xml:lang="fr-FR">bonjour</lang>
                <w role="amazon:VB">read</w>
                <s>One</s><s>Two</s><p>Para<emphasis>graph</emphasis></p>
              </Say>
            </Response>
            """;

        var verb = Assert.IsType<SayVerb>(ParseSingle(xml));

        Assert.Equal(
            "Hi there, friend. Really abc quiet news WWW tomato bonjour read One Two Paragraph",
            verb.Text);
        Assert.Equal("Polly.Joanna", verb.Voice);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData(" 2")]
    [InlineData("+1")]
    [InlineData("1e2")]
    [InlineData("99999999999")]
    public void Parse_SayBadLoop_Fails12200(string loop)
    {
        var error = AssertFails($"""<Response><Say loop="{loop}">Hi</Say></Response>""", 12200);

        Assert.Equal($"Invalid attribute value '{loop}' for 'loop' on <Say>", error.Message);
    }

    [Fact]
    public void Parse_SayBadLoopWithHugeValue_TruncatesValueInMessage()
    {
        var loop = new string('x', 10_000);

        var error = AssertFails($"""<Response><Say loop="{loop}">Hi</Say></Response>""", 12200);

        Assert.True(error.Message.Length < 200, error.Message);
        Assert.Contains("'loop' on <Say>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AttributeNamesDifferInCase_AreUnknownAndIgnored()
    {
        var verb = ParseSingle("""<Response><Say Loop="abc" VOICE="x" bogus="1">Hi</Say></Response>""");

        Assert.Equal(new SayVerb("Hi", null, null, 1), verb);
    }

    // Play

    [Fact]
    public void Parse_PlayWithUrl_UsesDefaultsAndTrimsUrl()
    {
        var verb = ParseSingle("<Response><Play>\n  https://example.com/a.mp3 \n</Play></Response>");

        Assert.Equal(new PlayVerb("https://example.com/a.mp3", 1, null), verb);
    }

    [Fact]
    public void Parse_PlayWithEveryAttribute_KeepsThem()
    {
        var verb = ParseSingle("""<Response><Play loop="0" digits="ww12#">https://example.com/a.mp3</Play></Response>""");

        Assert.Equal(new PlayVerb("https://example.com/a.mp3", 0, "ww12#"), verb);
    }

    [Fact]
    public void Parse_PlayDigitsWithoutUrl_HasNullUrl()
    {
        var verb = ParseSingle("""<Response><Play digits="1234"/></Response>""");

        Assert.Equal(new PlayVerb(null, 1, "1234"), verb);
    }

    [Theory]
    [InlineData("<Play/>")]
    [InlineData("<Play>   </Play>")]
    [InlineData("""<Play digits="">  </Play>""")]
    public void Parse_PlayWithoutUrlOrDigits_Fails12200(string play)
    {
        var error = AssertFails($"<Response>{play}</Response>", 12200);

        Assert.Contains("<Play>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-2")]
    public void Parse_PlayBadLoop_Fails12200(string loop)
    {
        var error = AssertFails($"""<Response><Play loop="{loop}">a.mp3</Play></Response>""", 12200);

        Assert.Equal($"Invalid attribute value '{loop}' for 'loop' on <Play>", error.Message);
    }

    // Pause

    [Fact]
    public void Parse_PauseWithoutLength_WaitsOneSecond()
    {
        Assert.Equal(new PauseVerb(1), ParseSingle("<Response><Pause/></Response>"));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("10", 10)]
    [InlineData("3600", 3600)]
    public void Parse_PauseWithLength_KeepsLength(string length, int expected)
    {
        Assert.Equal(new PauseVerb(expected), ParseSingle($"""<Response><Pause length="{length}"/></Response>"""));
    }

    [Theory]
    [InlineData("3601")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("2.5")]
    public void Parse_PauseBadLength_Fails12200(string length)
    {
        var error = AssertFails($"""<Response><Pause length="{length}"/></Response>""", 12200);

        Assert.Equal($"Invalid attribute value '{length}' for 'length' on <Pause>", error.Message);
    }

    // Hangup

    [Fact]
    public void Parse_Hangup_ProducesHangupVerb()
    {
        Assert.Equal(new HangupVerb(), ParseSingle("<Response><Hangup/></Response>"));
        Assert.Equal(new HangupVerb(), ParseSingle("<Response><Hangup></Hangup></Response>"));
    }

    // Redirect

    [Fact]
    public void Parse_RedirectWithoutMethod_UsesPost()
    {
        var verb = ParseSingle("<Response><Redirect> https://example.com/next </Redirect></Response>");

        Assert.Equal(new RedirectVerb("https://example.com/next", "POST"), verb);
    }

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("get", "GET")]
    [InlineData("Post", "POST")]
    public void Parse_RedirectWithMethod_NormalisesToUpperCase(string method, string expected)
    {
        var verb = ParseSingle($"""<Response><Redirect method="{method}">https://example.com/next</Redirect></Response>""");

        Assert.Equal(new RedirectVerb("https://example.com/next", expected), verb);
    }

    [Theory]
    [InlineData("/twiml/next")]
    [InlineData("next.xml")]
    [InlineData("../up?x=1&amp;y=2")]
    public void Parse_RedirectRelativeUrl_KeepsItUnresolved(string url)
    {
        var verb = Assert.IsType<RedirectVerb>(ParseSingle($"<Response><Redirect>{url}</Redirect></Response>"));

        Assert.Equal(url.Replace("&amp;", "&", StringComparison.Ordinal), verb.Url);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("")]
    public void Parse_RedirectBadMethod_Fails12200(string method)
    {
        var error = AssertFails($"""<Response><Redirect method="{method}">/next</Redirect></Response>""", 12200);

        Assert.Equal($"Invalid attribute value '{method}' for 'method' on <Redirect>", error.Message);
    }

    [Theory]
    [InlineData("<Redirect/>")]
    [InlineData("<Redirect>  \n </Redirect>")]
    public void Parse_RedirectWithoutUrl_Fails12200(string redirect)
    {
        var error = AssertFails($"<Response>{redirect}</Response>", 12200);

        Assert.Contains("<Redirect>", error.Message, StringComparison.Ordinal);
    }

    // Reject

    [Fact]
    public void Parse_RejectWithoutReason_IsRejected()
    {
        Assert.Equal(new RejectVerb("rejected"), ParseSingle("<Response><Reject/></Response>"));
    }

    [Theory]
    [InlineData("rejected")]
    [InlineData("busy")]
    public void Parse_RejectWithReason_KeepsReason(string reason)
    {
        Assert.Equal(new RejectVerb(reason), ParseSingle($"""<Response><Reject reason="{reason}"/></Response>"""));
    }

    [Theory]
    [InlineData("declined")]
    [InlineData("")]
    [InlineData("Busy")]
    public void Parse_RejectBadReason_Fails12200(string reason)
    {
        var error = AssertFails($"""<Response><Reject reason="{reason}"/></Response>""", 12200);

        Assert.Equal($"Invalid attribute value '{reason}' for 'reason' on <Reject>", error.Message);
    }

    // Unsupported verbs

    [Fact]
    public void Parse_GatherBesideDial_GatherIsUnsupportedDialIsParsed()
    {
        const string xml =
            """
            <Response>
              <Gather input="dtmf speech" action="/gathered"><Say>Press 1</Say><Play>a.mp3</Play></Gather>
              <Dial callerId="+15550001111"><Number>+15551234567</Number></Dial>
              <Say>bye</Say>
            </Response>
            """;

        var verbs = ParseVerbs(xml);

        Assert.Equal(new UnsupportedVerb("Gather"), verbs[0]);
        var dial = Assert.IsType<DialVerb>(verbs[1]);
        Assert.Equal("+15550001111", dial.CallerId);
        Assert.Equal("+15551234567", Assert.Single(dial.Nouns).Target);
        Assert.Equal(new SayVerb("bye", null, null, 1), verbs[2]);
    }

    [Theory]
    [InlineData("Gather")]
    [InlineData("Record")]
    [InlineData("Enqueue")]
    [InlineData("Leave")]
    [InlineData("Connect")]
    [InlineData("Start")]
    [InlineData("Stop")]
    [InlineData("Pay")]
    [InlineData("Refer")]
    [InlineData("Echo")]
    [InlineData("Sms")]
    [InlineData("Message")]
    public void Parse_KnownTwilioVerbNotExecuted_ProducesUnsupportedVerb(string name)
    {
        Assert.Equal(new UnsupportedVerb(name), ParseSingle($"<Response><{name}><Foo bar=\"x\">y</Foo></{name}></Response>"));
    }

    // Documents

    [Fact]
    public void Parse_DocumentWithEveryVerb_KeepsDocumentOrder()
    {
        var verbs = ParseVerbs(ValidDocument);

        Assert.Equal(
            [
                new SayVerb("Hello there", "Polly.Joanna", "en-US", 2),
                new PlayVerb("https://example.com/a.mp3", 0, "ww1"),
                new PauseVerb(3),
                new UnsupportedVerb("Gather"),
                new RedirectVerb("/next", "GET"),
                new RejectVerb("busy"),
                new HangupVerb(),
            ],
            verbs);
    }

    [Theory]
    [InlineData("<Response/>")]
    [InlineData("<Response></Response>")]
    [InlineData("<?xml version=\"1.0\"?>\n<!-- nothing to do -->\n<Response>\n  <!-- really -->\n</Response>\n")]
    public void Parse_EmptyResponse_HasNoVerbs(string xml)
    {
        Assert.Empty(ParseVerbs(xml));
    }

    [Fact]
    public void Parse_CommentsProcessingInstructionsAndWhitespace_AreIgnored()
    {
        var verbs = ParseVerbs("<Response>\n\t<!-- c --><?pi x?>\r\n <Hangup/>  <![CDATA[   ]]></Response>");

        Assert.Equal([new HangupVerb()], verbs);
    }

    [Fact]
    public void Parse_LeadingByteOrderMark_IsAccepted()
    {
        Assert.Equal([new HangupVerb()], ParseVerbs("\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>"));
    }

    [Theory]
    [InlineData("ISO-8859-1")]
    [InlineData("UTF-16")]
    [InlineData("windows-1252")]
    [InlineData("us-ascii")]
    public void Parse_DeclarationWithOtherEncoding_ReadsTheStringAsIs(string encoding)
    {
        var verbs = ParseVerbs($"<?xml version=\"1.0\" encoding=\"{encoding}\"?><Response><Say>Grüße</Say></Response>");

        Assert.Equal([new SayVerb("Grüße", null, null, 1)], verbs);
    }

    [Fact]
    public void Parse_DeclarationWithUnknownEncoding_DoesNotThrow()
    {
        var result = TwimlParser.Parse("<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><Response><Hangup/></Response>");

        AssertConsistent(result);
    }

    // 12100: document parse failure

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \r\n\t ")]
    public void Parse_EmptyBody_Fails12100(string? xml)
    {
        AssertFails(xml, 12100);
    }

    [Theory]
    [InlineData("<Response><Say>Hi</Response>")]
    [InlineData("<Response><Say>Hi</Say>")]
    [InlineData("<Response>")]
    [InlineData("<Response><Say>Hi</Say></Response")]
    [InlineData("<Response><Say loop=\"1>Hi</Say></Response>")]
    [InlineData("<Response><Say loop=1>Hi</Say></Response>")]
    public void Parse_UnclosedTag_Fails12100(string xml)
    {
        AssertFails(xml, 12100);
    }

    [Theory]
    [InlineData("<Foo><Say>Hi</Say></Foo>")]
    [InlineData("<response><Say>Hi</Say></response>")]
    [InlineData("<Say>Hi</Say>")]
    [InlineData("<twiml:Response xmlns:twiml=\"urn:x\"/>")]
    public void Parse_WrongRoot_Fails12100(string xml)
    {
        var error = AssertFails(xml, 12100);

        Assert.Contains("expected <Response>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hello, I am not XML")]
    [InlineData("{\"twiml\": \"<Response/>\"}")]
    [InlineData("hello <Response/>")]
    [InlineData("<!-- only a comment -->")]
    [InlineData("<?xml version=\"1.0\"?>")]
    [InlineData("<Response/><Response/>")]
    [InlineData("<Response/>trailing")]
    public void Parse_NonElementOrExtraRootContent_Fails12100(string xml)
    {
        AssertFails(xml, 12100);
    }

    [Fact]
    public void Parse_Doctype_Fails12100()
    {
        AssertFails("<!DOCTYPE Response><Response><Hangup/></Response>", 12100);
    }

    [Fact]
    public void Parse_BillionLaughsEntityAttack_Fails12100()
    {
        const string xml =
            """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <Response><Say>&lol9;</Say></Response>
            """;

        AssertFails(xml, 12100);
    }

    [Fact]
    public void Parse_ExternalEntity_Fails12100()
    {
        const string xml =
            """
            <!DOCTYPE Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Response><Say>&xxe;</Say></Response>
            """;

        AssertFails(xml, 12100);
    }

    [Theory]
    [InlineData("<Response><Say>&undeclared;</Say></Response>")]
    [InlineData("<Response><Say>&#0;</Say></Response>")]
    [InlineData("<Response><Say>\u0001</Say></Response>")]
    [InlineData("<Response><Say loop=\"1\" loop=\"2\">Hi</Say></Response>")]
    [InlineData("<Response><foo:Say>Hi</foo:Say></Response>")]
    public void Parse_IllFormedContent_Fails12100(string xml)
    {
        AssertFails(xml, 12100);
    }

    [Fact]
    public void Parse_IllFormedAfterInvalidVerb_PrefersParseFailure12100()
    {
        AssertFails("<Response><Foo/><Say>Hi</Say>", 12100);
    }

    // 12200: schema validation

    [Theory]
    [InlineData("say")]
    [InlineData("SAY")]
    [InlineData("hangup")]
    [InlineData("gather")]
    public void Parse_VerbNameInWrongCase_Fails12200(string name)
    {
        var error = AssertFails($"<Response><{name}>Hi</{name}></Response>", 12200);

        Assert.Equal($"Unknown verb <{name}>", error.Message);
    }

    [Theory]
    [InlineData("Foo")]
    [InlineData("Number")]
    [InlineData("Conference")]
    [InlineData("Response")]
    public void Parse_UnknownVerb_Fails12200(string name)
    {
        var error = AssertFails($"<Response><Say>Hi</Say><{name}><Bar/></{name}></Response>", 12200);

        Assert.Equal($"Unknown verb <{name}>", error.Message);
    }

    [Fact]
    public void Parse_SeveralErrors_ReportsTheFirst()
    {
        var error = AssertFails("""<Response><Foo/><Pause length="x"/><Bar/></Response>""", 12200);

        Assert.Equal("Unknown verb <Foo>", error.Message);
    }

    [Theory]
    [InlineData("<Say>Hi <Play>a.mp3</Play></Say>", "Play", "Say")]
    [InlineData("<Say><prosody rate=\"slow\"><Hangup/></prosody></Say>", "Hangup", "Say")]
    [InlineData("<Say><Gather/></Say>", "Gather", "Say")]
    [InlineData("<Play><Say>Hi</Say>a.mp3</Play>", "Say", "Play")]
    [InlineData("<Play><foo/>a.mp3</Play>", "foo", "Play")]
    [InlineData("<Pause><Say>Hi</Say></Pause>", "Say", "Pause")]
    [InlineData("<Hangup><Hangup/></Hangup>", "Hangup", "Hangup")]
    [InlineData("<Redirect><Redirect>/a</Redirect>/b</Redirect>", "Redirect", "Redirect")]
    [InlineData("<Reject><Say>busy</Say></Reject>", "Say", "Reject")]
    public void Parse_NestedVerb_Fails12200(string verbs, string child, string parent)
    {
        var error = AssertFails($"<Response>{verbs}</Response>", 12200);

        Assert.Equal($"<{child}> is not allowed inside <{parent}>", error.Message);
    }

    [Theory]
    [InlineData("<Response>Hello<Say>Hi</Say></Response>")]
    [InlineData("<Response><Say>Hi</Say>  stray  </Response>")]
    [InlineData("<Response><![CDATA[text]]></Response>")]
    public void Parse_StrayTextUnderResponse_Fails12200(string xml)
    {
        var error = AssertFails(xml, 12200);

        Assert.Contains("directly inside <Response>", error.Message, StringComparison.Ordinal);
    }

    // 11750: size limit

    [Fact]
    public void Parse_DocumentAtSizeLimit_Succeeds()
    {
        var xml = PadTo("<Response><Say>Hi</Say></Response>", TwimlParser.MaxDocumentChars);

        Assert.Equal(TwimlParser.MaxDocumentChars, xml.Length);
        Assert.Equal([new SayVerb("Hi", null, null, 1)], ParseVerbs(xml));
    }

    [Fact]
    public void Parse_DocumentOneCharOverSizeLimit_Fails11750()
    {
        var xml = PadTo("<Response><Say>Hi</Say></Response>", TwimlParser.MaxDocumentChars + 1);

        var error = AssertFails(xml, 11750);

        Assert.Contains("65537", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugeSayText_UnderLimitSucceedsOverLimitFails11750()
    {
        const string prefix = "<Response><Say>";
        const string suffix = "</Say></Response>";
        var fits = new string('a', TwimlParser.MaxDocumentChars - prefix.Length - suffix.Length);

        var verb = Assert.IsType<SayVerb>(ParseSingle(prefix + fits + suffix));
        Assert.Equal(fits.Length, verb.Text.Length);
        AssertFails(prefix + fits + "a" + suffix, 11750);
    }

    [Fact]
    public void Parse_WhitespaceOverSizeLimit_Fails11750()
    {
        AssertFails(new string(' ', TwimlParser.MaxDocumentChars + 1), 11750);
    }

    // Hostile input

    [Fact]
    public void Parse_TenThousandLevelsInsideSay_Fails12100WithoutThrowing()
    {
        var xml = "<Response><Say>" + Repeat("<p>", 10_000) + "deep";

        AssertFails(xml, 12100);
    }

    [Fact]
    public void Parse_TenThousandLevelsOfUnknownElements_Fails12100WithoutThrowing()
    {
        AssertFails(Repeat("<a>", 10_000), 12100);
        AssertFails("<Response>" + Repeat("<Foo>", 10_000), 12100);
    }

    [Fact]
    public void Parse_TenThousandLevelsClosed_IsTooLargeAndFails11750()
    {
        var xml = "<Response><Say>" + Repeat("<w>", 10_000) + "deep" + Repeat("</w>", 10_000) + "</Say></Response>";

        AssertFails(xml, 11750);
    }

    [Fact]
    public void Parse_DeepestClosedSsmlThatFits_Succeeds()
    {
        const string prefix = "<Response><Say>";
        const string suffix = "</Say></Response>";
        var levels = (TwimlParser.MaxDocumentChars - prefix.Length - suffix.Length - 4) / "<w></w>".Length;
        var xml = prefix + Repeat("<w>", levels) + "deep" + Repeat("</w>", levels) + suffix;

        Assert.True(levels > 9_000);
        Assert.Equal([new SayVerb("deep", null, null, 1)], ParseVerbs(xml));
    }

    [Fact]
    public void Parse_DeepestClosedUnknownElementsThatFit_Fails12200()
    {
        const string prefix = "<Response><Say>Hi</Say>";
        const string suffix = "</Response>";
        var levels = (TwimlParser.MaxDocumentChars - prefix.Length - suffix.Length) / "<a></a>".Length;
        var xml = prefix + Repeat("<a>", levels) + Repeat("</a>", levels) + suffix;

        var error = AssertFails(xml, 12200);

        Assert.Equal("Unknown verb <a>", error.Message);
    }

    [Fact]
    public void Parse_SizeLimitOfGarbage_DoesNotThrow()
    {
        var random = new Random(11750);
        var chars = new char[TwimlParser.MaxDocumentChars];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0, 0x10000);
        }

        AssertFails(new string(chars), 12100);
        AssertFails("<Response>" + new string(chars, 0, chars.Length - 10), 12100);
    }

    [Fact]
    public void Parse_RandomBytes_NeverThrows()
    {
        var random = new Random(12100);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = new byte[random.Next(0, 512)];
            random.NextBytes(bytes);
            var text = (i % 3) switch
            {
                0 => Encoding.UTF8.GetString(bytes),
                1 => Encoding.Latin1.GetString(bytes),
                _ => "<Response>" + Encoding.UTF8.GetString(bytes) + "</Response>",
            };

            AssertConsistent(TwimlParser.Parse(text));
        }
    }

    [Fact]
    public void Parse_RandomCharacters_NeverThrows()
    {
        // Weighted toward XML's own punctuation so the reader gets past the first character.
        const string alphabet = "<>/=\"'&;#![]?-: \n\tSayPlayResponseloopx0123456789CDATA\uFEFF\uD800\uDC00\u0000";
        var random = new Random(12200);
        for (var i = 0; i < 2_000; i++)
        {
            var chars = new char[random.Next(0, 256)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(4) == 0 ? (char)random.Next(0, 0x10000) : alphabet[random.Next(alphabet.Length)];
            }

            AssertConsistent(TwimlParser.Parse(new string(chars)));
        }
    }

    [Fact]
    public void Parse_RandomTruncationsAndMutationsOfValidDocument_NeverThrow()
    {
        var random = new Random(11750);
        for (var i = 0; i < 2_000; i++)
        {
            var xml = new StringBuilder(ValidDocument[..random.Next(0, ValidDocument.Length + 1)]);
            if (i % 2 == 1 && xml.Length > 0)
            {
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    xml[random.Next(xml.Length)] = (char)random.Next(0, 0x80);
                }
            }

            AssertConsistent(TwimlParser.Parse(xml.ToString()));
        }
    }

    [Fact]
    public void Parse_EveryPrefixOfValidDocument_FailsUnlessComplete()
    {
        var complete = ValidDocument.TrimEnd();
        for (var length = 0; length < complete.Length; length++)
        {
            var result = TwimlParser.Parse(complete[..length]);

            Assert.False(result.Success, $"prefix of length {length} parsed");
            Assert.Equal(12100, result.Error.Code);
        }

        Assert.True(TwimlParser.Parse(complete).Success);
    }

    private static TwimlVerb ParseSingle(string xml) => Assert.Single(ParseVerbs(xml));

    private static IReadOnlyList<TwimlVerb> ParseVerbs(string xml)
    {
        var result = TwimlParser.Parse(xml);

        Assert.True(result.Success, result.Error?.ToString());
        Assert.Null(result.Error);
        return result.Document.Verbs;
    }

    private static TwimlError AssertFails(string? xml, int code)
    {
        var result = TwimlParser.Parse(xml);

        Assert.False(result.Success, "expected a failure, parsed: " + string.Join(", ", result.Document?.Verbs ?? []));
        Assert.Null(result.Document);
        Assert.Equal(code, result.Error.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        return result.Error;
    }

    private static void AssertConsistent(TwimlParseResult result)
    {
        if (result.Success)
        {
            Assert.Null(result.Error);
        }
        else
        {
            Assert.Null(result.Document);
            Assert.Contains(result.Error.Code, new[] { 12100, 12200, 11750 });
        }
    }

    private static string PadTo(string xml, int length) => xml + new string(' ', length - xml.Length);

    private static string Repeat(string value, int count) => new StringBuilder(value.Length * count).Insert(0, value, count).ToString();
}
