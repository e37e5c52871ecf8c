using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>A callee on a real loopback TCP listener: accepts the UAC's connection and talks on it.</summary>
internal sealed class ScriptedTcpUas : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly SipStreamFramer _framer = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Socket? _connection;

    public ScriptedTcpUas() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Tag { get; } = "tcpuas";

    public async Task<SipRequest> ReceiveRequestAsync(string method)
    {
        while (true)
        {
            if (await ReceiveAsync($"a {method} request over TCP") is SipRequest request && request.Method == method)
            {
                return request;
            }
        }
    }

    public async Task<SipResponse> ReceiveResponseAsync(string method)
    {
        while (true)
        {
            if (await ReceiveAsync($"a response to {method} over TCP") is SipResponse response && response.CSeq?.Method == method)
            {
                return response;
            }
        }
    }

    public void Respond(SipRequest request, int code, string reason) =>
        Send(SipResponseFactory.Create(request, code, reason, Tag, code is > 100 and < 300 ? [new(HeaderNames.Contact, $"<sip:callee@127.0.0.1:{Port};transport=tcp>")] : null));

    public void Send(SipMessage message) => _connection!.Send(SipSerializer.Serialize(message));

    private async Task<SipMessage> ReceiveAsync(string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        try
        {
            _connection ??= await _listener.AcceptSocketAsync(timeout.Token);
            while (true)
            {
                var status = _framer.TryRead(out var frame);
                Assert.NotEqual(SipFrameStatus.Invalid, status);
                if (status == SipFrameStatus.Message)
                {
                    var parsed = SipMessageParser.Parse(frame);
                    Assert.True(parsed.Success, parsed.Error);
                    return parsed.Message;
                }

                var read = await _connection.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
                Assert.True(read > 0, "the UAC closed the TCP connection while the UAS waited for " + what);
                _framer.Append(_buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The scripted TCP UAS waited {ScriptedUas.Bound.TotalSeconds} s for {what}.");
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _listener.Stop();
    }
}
