using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Sip.Auth;

namespace Switchboard.Carriers.Trunking;

/// <summary>
/// The trunks configured with <c>AcceptFrom</c> (<see cref="TrunkOptions.AcceptFrom"/>): which one an
/// incoming INVITE belongs to, by its source address. Host names are resolved once, at start.
/// </summary>
internal sealed class SourceTrunks
{
    private SourceTrunks(IReadOnlyList<SourceTrunk> trunks) => All = trunks;

    public IReadOnlyList<SourceTrunk> All { get; }

    /// <summary>The first source trunk that accepts <paramref name="address"/>, or null (the INVITE gets 403).</summary>
    public SourceTrunk? Match(IPAddress address) => All.FirstOrDefault(t => t.Accepts(address));

    /// <summary>A stable SID for a trunk without a configured one: <c>TK</c> + the first 32 hex digits of SHA-256 of its name.</summary>
    public static string SidFor(string name) =>
        "TK" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("trunk:" + name)))[..32];

    /// <summary>One address as a network of its own (a /32 or /128).</summary>
    private static IPNetwork Host(IPAddress address) =>
        new(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);

    public static async Task<SourceTrunks> LoadAsync(IOptions<CarrierOptions> options, CancellationToken cancellationToken)
    {
        var trunks = new List<SourceTrunk>();
        foreach (var t in options.Value.Trunks.Where(t => t.AcceptFrom.Count > 0))
        {
            var sid = t.Sid ?? SidFor(t.Name);
            if (!Sids.IsValid(sid, "TK"))
            {
                throw Invalid($"Carriers:Trunks: trunk '{t.Name}' has Sid '{t.Sid}', not TK followed by 32 hex digits.");
            }
            if (t.AccountSid is { } account && !Sids.IsValid(account, "AC"))
            {
                throw Invalid($"Carriers:Trunks: trunk '{t.Name}' has AccountSid '{account}', not an AC… SID.");
            }
            var networks = new List<IPNetwork>();
            foreach (var entry in t.AcceptFrom.Select(e => e.Trim()).Where(e => e.Length > 0))
            {
                if (IPNetwork.TryParse(entry, out var network))
                {
                    networks.Add(network);
                }
                else if (IPAddress.TryParse(entry, out var address))
                {
                    networks.Add(Host(address));
                }
                else
                {
                    // A host name: its addresses now (RFC 3263 lookups are out of scope, as for outgoing trunks).
                    var addresses = await Dns.GetHostAddressesAsync(entry, cancellationToken);
                    networks.AddRange(addresses.Select(Host));
                }
            }
            trunks.Add(new SourceTrunk(t.Name, sid, t.AccountSid, networks)
            {
                Credentials = string.IsNullOrEmpty(t.AcceptUsername) ? null : new SipCredentials(t.AcceptUsername, t.AcceptPassword ?? ""),
            });
        }
        if (trunks.GroupBy(t => t.Sid, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw Invalid($"Carriers:Trunks: two source trunks share the Sid {duplicate.Key}.");
        }
        return new SourceTrunks(trunks);
    }

    private static OptionsValidationException Invalid(string message) =>
        new(nameof(CarrierOptions), typeof(CarrierOptions), [message]);
}
