using System.Text;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Tests.Transport;

public sealed class SipStreamFramerTests
{
    private static byte[] Message(string callId, string body = "") => Encoding.ASCII.GetBytes(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\n"
        + $"Call-ID: {callId}\r\nCSeq: 1 INVITE\r\nl: {body.Length}\r\n\r\n{body}");

    [Fact]
    public void TryRead_ByteAtATime_YieldsTheMessageOnceComplete()
    {
        var framer = new SipStreamFramer();
        var bytes = Message("a", "v=0\r\n");

        for (var i = 0; i < bytes.Length - 1; i++)
        {
            framer.Append(bytes.AsSpan(i, 1));
            Assert.Equal(SipFrameStatus.NeedMoreData, framer.TryRead(out _));
        }

        framer.Append(bytes.AsSpan(^1));
        Assert.Equal(SipFrameStatus.Message, framer.TryRead(out var message));
        Assert.Equal(bytes, message);
    }

    [Fact]
    public void TryRead_TwoMessagesAndKeepAlivesInOneRead_YieldsBoth()
    {
        var framer = new SipStreamFramer();
        framer.Append([.. "\r\n\r\n"u8, .. Message("a", "xyz"), .. "\r\n"u8, .. Message("b")]);

        Assert.Equal(SipFrameStatus.Message, framer.TryRead(out var first));
        Assert.Equal(SipFrameStatus.Message, framer.TryRead(out var second));
        Assert.Equal(SipFrameStatus.NeedMoreData, framer.TryRead(out _));
        Assert.Equal(Message("a", "xyz"), first);
        Assert.Equal(Message("b"), second);
    }

    [Fact]
    public void TryRead_NoContentLength_IsInvalidOnAStream()
    {
        var framer = new SipStreamFramer();
        framer.Append("SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n"u8);

        Assert.Equal(SipFrameStatus.Invalid, framer.TryRead(out _));
    }

    [Theory]
    [InlineData("Content-Length: 70000")]
    [InlineData("Content-Length: -1")]
    public void TryRead_BadOrOversizedContentLength_IsInvalid(string header)
    {
        var framer = new SipStreamFramer();
        framer.Append(Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\n" + header + "\r\n\r\n"));

        Assert.Equal(SipFrameStatus.Invalid, framer.TryRead(out _));
    }

    [Fact]
    public void TryRead_EndlessHeaders_IsInvalidPastTheSizeLimit()
    {
        var framer = new SipStreamFramer();
        framer.Append(new byte[70 * 1024].Select(_ => (byte)'x').ToArray());

        Assert.Equal(SipFrameStatus.Invalid, framer.TryRead(out _));
    }
}
