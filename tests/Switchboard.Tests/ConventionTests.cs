using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests;

/// <summary>Conventions that hold across the server, checked by reflection.</summary>
public sealed class ConventionTests
{
    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Attribute)> LogMessages(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (m, m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(p => p.Item2 is not null)
            .Select(p => (p.m, p.Item2!));

    [Fact]
    public void LogEventIds_AreUniqueAndInTheirFeatureRange()
    {
        var messages = LogMessages(typeof(SwitchboardApp).Assembly).Concat(LogMessages(typeof(Switchboard.Sip.UserAgents.SipEndpoint).Assembly)).ToList();
        Assert.NotEmpty(messages);
        var duplicates = messages.GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method.DeclaringType!.Name + "." + m.Method.Name))}").ToList();
        Assert.True(duplicates.Count == 0, "Duplicate EventIds: " + string.Join("; ", duplicates));

        var ranges = new Dictionary<string, int>
        {
            ["Switchboard.Api"] = 1000, ["Switchboard.Accounts"] = 1000, ["Switchboard.Calls"] = 2000, ["Switchboard.Callbacks"] = 3000,
            ["Switchboard.Carriers"] = 4000, ["Switchboard.Sip"] = 5000, ["Switchboard.Storage"] = 6000, ["Switchboard.Insights"] = 7000,
            ["Switchboard.Dashboard"] = 7000,
        };
        foreach (var (method, attribute) in messages)
        {
            var ns = method.DeclaringType!.Namespace!;
            var range = ranges.Where(r => ns.StartsWith(r.Key, StringComparison.Ordinal)).OrderByDescending(r => r.Key.Length).Select(r => r.Value).FirstOrDefault();
            if (range != 0)
            {
                Assert.True(attribute.EventId >= range && attribute.EventId < range + 1000,
                    $"{method.DeclaringType.Name}.{method.Name} has EventId {attribute.EventId}, outside {range}–{range + 999} for {ns}");
            }
        }
    }
}
