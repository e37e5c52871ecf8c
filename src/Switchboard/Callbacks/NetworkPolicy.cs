using System.Net;
using System.Net.Sockets;

namespace Switchboard.Callbacks;

/// <summary>Which destination addresses webhooks may connect to (<see cref="CallbackOptions.DeniedNetworks"/>).</summary>
public sealed class NetworkPolicy
{
    private readonly IPNetwork[] _denied;
    private readonly IPNetwork[] _allowed;

    public NetworkPolicy(IEnumerable<string> denied, IEnumerable<string> allowed)
    {
        _denied = denied.Select(IPNetwork.Parse).ToArray();
        _allowed = allowed.Select(IPNetwork.Parse).ToArray();
    }

    public bool Permits(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (_denied.Any(n => n.Contains(address)))
        {
            return false;
        }
        return _allowed.Length == 0 || _allowed.Any(n => n.Contains(address));
    }

    public static bool IsSupported(AddressFamily family) => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
}
