using Microsoft.Extensions.Options;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Carriers.Sip;

/// <summary>
/// The one <see cref="SipEndpoint"/> all <c>sip</c> trunks share (one UDP socket, so responses and the
/// callee's BYE come back where the INVITE left from). Bound on first use; closed with the server.
/// </summary>
public sealed class SipEndpointProvider(IOptions<CarrierOptions> options, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private SipEndpoint? _endpoint;
    private bool _disposed;

    public SipEndpoint Endpoint
    {
        get
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_endpoint is null)
                {
                    var sip = options.Value.Sip;
                    _endpoint = SipEndpoint.Start(new SipEndpointOptions
                    {
                        ListenAddress = sip.ListenAddress,
                        ListenPort = sip.ListenPort,
                        AdvertisedAddress = sip.AdvertisedAddress,
                        T1 = sip.T1,
                        T2 = sip.T1 > TimeSpan.FromSeconds(4) ? sip.T1 : TimeSpan.FromSeconds(4),
                    }, time, loggers);
                    CarriersLog.SipListening(loggers.CreateLogger<SipEndpointProvider>(), _endpoint.LocalEndPoint.ToString());
                }
                return _endpoint;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        SipEndpoint? endpoint;
        lock (_lock)
        {
            _disposed = true;
            endpoint = _endpoint;
            _endpoint = null;
        }
        if (endpoint is not null)
        {
            await endpoint.DisposeAsync();
        }
    }
}
