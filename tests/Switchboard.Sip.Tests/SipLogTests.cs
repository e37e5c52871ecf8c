using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Sip.Tests;

public sealed class SipLogTests
{
    [Fact]
    public void EventIds_AreUniqueAndInTheSipRange()
    {
        var ids = typeof(SipLog).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 5000, 5999));
    }
}
