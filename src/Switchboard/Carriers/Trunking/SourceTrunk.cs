using System.Net;
using Switchboard.Sip.Auth;

namespace Switchboard.Carriers.Trunking;

/// <summary>A trunk whose INVITEs become trunk calls: where they may come from, its <c>TK…</c> SID and its account.</summary>
internal sealed record SourceTrunk(string Name, string Sid, string? AccountSid, IReadOnlyList<IPNetwork> AcceptFrom)
{
    /// <summary>Digest credentials its INVITEs must prove (407 challenge, realm = <see cref="Name"/>), or null.</summary>
    public SipCredentials? Credentials { get; init; }

    public bool Accepts(IPAddress address)
    {
        var source = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return AcceptFrom.Any(network => network.Contains(source));
    }
}
