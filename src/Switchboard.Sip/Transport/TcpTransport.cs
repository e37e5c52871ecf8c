using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transport;

/// <summary>
/// SIP over TCP (RFC 3261 18): one connection per peer, opened on first use and reused; a listener on our
/// port for connections the far end opens (e.g. to send BYE to our Contact). Reliable: the transactions
/// switch Timers A/E off and D/K to zero. Sends are queued and never block; a connection failure is
/// reported per queued message.
/// </summary>
internal sealed class TcpTransport : ISipTransport, IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ILogger _logger;
    private readonly Action<SipMessage, IPEndPoint> _onMessage;
    private readonly Action<SipMessage, IPEndPoint> _onSendFailed;
    private readonly ConcurrentDictionary<IPEndPoint, TcpConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;

    public TcpTransport(IPEndPoint bindTo, ILogger logger, Action<SipMessage, IPEndPoint> onMessage, Action<SipMessage, IPEndPoint> onSendFailed)
    {
        _logger = logger;
        _onMessage = onMessage;
        _onSendFailed = onSendFailed;
        _listener = new TcpListener(bindTo);
        _listener.Start();
        LocalEndPoint = (IPEndPoint)_listener.LocalEndpoint;
    }

    public string Protocol => "TCP";

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    public void Send(SipMessage message, IPEndPoint destination)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        while (true)
        {
            var connection = _connections.GetOrAdd(destination, d => TcpConnection.Outbound(this, d, _logger, _stopping.Token));
            if (connection.Enqueue(message))
            {
                return;
            }

            // That connection just closed; RFC 3261 18.1.1: open a new one.
            _connections.TryRemove(new KeyValuePair<IPEndPoint, TcpConnection>(destination, connection));
        }
    }

    internal void Deliver(byte[] frame, IPEndPoint source)
    {
        var parsed = SipMessageParser.Parse(frame);
        if (!parsed.Success)
        {
            SipLog.DatagramDropped(_logger, frame.Length, source, parsed.Error);
            return;
        }

        try
        {
            _onMessage(parsed.Message, source);
        }
#pragma warning disable CA1031 // The connection's read loop is a boundary: log the fault and keep reading.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SipLog.HandlerFailed(_logger, source, parsed.Message.CallId, exception);
        }
    }

    internal void ReportSendFailure(SipMessage message, IPEndPoint destination)
    {
        try
        {
            _onSendFailed(message, destination);
        }
#pragma warning disable CA1031 // Same boundary as Deliver: a faulty handler must not kill the connection loop.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SipLog.HandlerFailed(_logger, destination, message.CallId, exception);
        }
    }

    internal void Forget(TcpConnection connection) =>
        _connections.TryRemove(new KeyValuePair<IPEndPoint, TcpConnection>(connection.Remote, connection));

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException exception)
            {
                SipLog.ReceiveFailed(_logger, exception.SocketErrorCode, exception);
                continue;
            }

            socket.NoDelay = true;
            var connection = TcpConnection.Inbound(this, socket, _logger, token);
            _connections[connection.Remote] = connection;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values.Select(c => c.Completion)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
