using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transport;

/// <summary>
/// One TCP connection to a peer (RFC 3261 18): a writer loop that connects on demand and drains a queue,
/// so <see cref="Enqueue"/> never blocks the caller, and a reader loop that frames and parses what arrives.
/// A send that cannot happen is reported through the failure callback (RFC 3261 18.4: a 503 for the TU).
/// </summary>
internal sealed class TcpConnection
{
    private readonly Channel<SipMessage> _outgoing = Channel.CreateUnbounded<SipMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TcpTransport _transport;
    private readonly ILogger _logger;
    private Socket? _socket;

    private TcpConnection(TcpTransport transport, IPEndPoint remote, Socket? socket, ILogger logger)
    {
        _transport = transport;
        Remote = remote;
        _socket = socket;
        _logger = logger;
    }

    public IPEndPoint Remote { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public static TcpConnection Outbound(TcpTransport transport, IPEndPoint remote, ILogger logger, CancellationToken stopping)
    {
        var connection = new TcpConnection(transport, remote, null, logger);
        connection.Completion = Task.Run(() => connection.RunAsync(stopping), CancellationToken.None);
        return connection;
    }

    public static TcpConnection Inbound(TcpTransport transport, Socket socket, ILogger logger, CancellationToken stopping)
    {
        var connection = new TcpConnection(transport, (IPEndPoint)socket.RemoteEndPoint!, socket, logger);
        connection.Completion = Task.Run(() => connection.RunAsync(stopping), CancellationToken.None);
        return connection;
    }

    public bool Enqueue(SipMessage message) => _outgoing.Writer.TryWrite(message);

    private async Task RunAsync(CancellationToken stopping)
    {
        Task reading = Task.CompletedTask;
        try
        {
            if (_socket is null)
            {
                var socket = new Socket(Remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                _socket = socket;
                await socket.ConnectAsync(Remote, stopping).ConfigureAwait(false);
            }

            reading = ReadLoopAsync(_socket, stopping);
            await foreach (var message in _outgoing.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                var bytes = SipSerializer.Serialize(message);
                SipLog.Sending(_logger, bytes.Length, Remote, message.CallId);
                try
                {
                    await _socket.SendAsync(bytes, SocketFlags.None, stopping).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
                {
                    _transport.ReportSendFailure(message, Remote);
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or IOException)
        {
            SipLog.ConnectionFailed(_logger, Remote, exception);
        }
        finally
        {
            Close();
        }

        await reading.ConfigureAwait(false);
    }

    private async Task ReadLoopAsync(Socket socket, CancellationToken stopping)
    {
        var framer = new SipStreamFramer();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, stopping).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                framer.Append(buffer.AsSpan(0, read));
                SipFrameStatus status;
                while ((status = framer.TryRead(out var frame)) == SipFrameStatus.Message)
                {
                    _transport.Deliver(frame, Remote);
                }

                if (status == SipFrameStatus.Invalid)
                {
                    // A stream that lost its framing cannot be resynchronised: drop the connection.
                    SipLog.DatagramDropped(_logger, read, Remote, "unframeable TCP stream");
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Closed by us, by the peer, or by shutdown; Close() below reports what is still queued.
        }
        finally
        {
            Close();
        }
    }

    private void Close()
    {
        if (!_outgoing.Writer.TryComplete())
        {
            return;
        }

        _transport.Forget(this);
        _socket?.Dispose();
        while (_outgoing.Reader.TryRead(out var pending))
        {
            _transport.ReportSendFailure(pending, Remote);
        }
    }
}
