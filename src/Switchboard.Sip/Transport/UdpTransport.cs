using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transport;

/// <summary>
/// One bound UDP socket shared by every call: requests go out from it and responses and in-dialog
/// requests come back to it (RFC 3261 18.1.1, 18.2.1; peers such as sipp answer to the source port).
/// The receive loop never dies on a bad datagram or a handler exception.
/// </summary>
internal sealed class UdpTransport : ISipTransport, IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Action<SipMessage, IPEndPoint> _onMessage;
    private readonly CancellationTokenSource _stopping = new();
    private Task _receiveLoop = Task.CompletedTask;
    private long _received;
    private long _dropped;

    public UdpTransport(IPEndPoint bindTo, int receiveBufferSize, ILogger logger, Action<SipMessage, IPEndPoint> onMessage)
    {
        _logger = logger;
        _onMessage = onMessage;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // SIO_UDP_CONNRESET off: otherwise a stray ICMP port-unreachable fails the next receive.
                const int SioUdpConnReset = -1744830452;
                _socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
            }

            // Bursts above a few thousand datagrams/s overflow the default ~208 KiB buffer; Linux caps this at rmem_max.
            _socket.ReceiveBufferSize = receiveBufferSize;
            _socket.Bind(bindTo);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public string Protocol => "UDP";

    public bool IsReliable => false;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams read from the socket, parsed or not.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _received);

    /// <summary>Datagrams that did not parse as SIP, or whose handling threw.</summary>
    public long DatagramsDropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Starts the receive loop on a thread of its own: when the thread pool is saturated (a busy server),
    /// responses are still read and matched at once, so Timer A does not retransmit an INVITE that was
    /// already answered (a peer may treat such a late retransmission as a new error).
    /// </summary>
    public void Start()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop();
            }
            finally
            {
                stopped.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "SIP UDP receive",
        };
        _receiveLoop = stopped.Task;
        thread.Start();
    }

    public void Send(SipMessage message, IPEndPoint destination)
    {
        var datagram = SipSerializer.SerializeForSend(message);
        SipLog.Sending(_logger, datagram.Length, destination, message.CallId);
        // UDP sends do not block on the peer; a synchronous send keeps transactions free of async state (and lets the
        // datagram be written in this thread's reused buffer).
        _socket.SendTo(datagram, SocketFlags.None, destination);
    }

    private void ReceiveLoop()
    {
        // RFC 3261 18.1.1 keeps UDP messages under the MTU, but a datagram may be up to 64 KiB; one extra
        // byte lets the parser see an oversized payload rather than a silently truncated one.
        var buffer = GC.AllocateUninitializedArray<byte>(SipMessageParser.MaxMessageSize + 1);
        var anyAddress = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            int received;
            EndPoint remote = anyAddress;
            try
            {
                // Disposing the socket ends a blocked receive.
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, ref remote);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException exception)
            {
                // ICMP errors, MessageSize and the like concern one datagram, not the socket.
                SipLog.ReceiveFailed(_logger, exception.SocketErrorCode, exception);
                continue;
            }

            Interlocked.Increment(ref _received);
            Handle(buffer.AsSpan(0, received), (IPEndPoint)remote);
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        var parsed = SipMessageParser.Parse(datagram);
        if (!parsed.Success)
        {
            Interlocked.Increment(ref _dropped);
            SipLog.DatagramDropped(_logger, datagram.Length, source, parsed.Error);
            return;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var kind = parsed.Message is SipRequest request ? request.Method : ((SipResponse)parsed.Message).StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            SipLog.Received(_logger, kind, source, parsed.Message.CallId, parsed.Message.GetHeader(HeaderNames.CSeq));
        }

        try
        {
            _onMessage(parsed.Message, source);
        }
#pragma warning disable CA1031 // The receive loop is a boundary: log the fault and keep serving every other call.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _dropped);
            SipLog.HandlerFailed(_logger, source, parsed.Message.CallId, exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
