using Switchboard.Testing;

namespace Switchboard.Tests.Carriers;

/// <summary>Where the sipp scenarios are, and the skip-locally / fail-in-CI rule for a missing sipp.</summary>
internal static class SippFarEnd
{
    public static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Carriers", "Sipp", name);

    public static void RequireSipp()
    {
        if (SippProcess.IsInstalled)
        {
            return;
        }
        const string reason = "sipp is not on PATH (apt-get install -y sip-tester)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail($"{reason} (CI is set, so this is a failure, not a skip)");
        }
        Assert.Skip(reason);
    }

    /// <summary>Settings for one SIP trunk to a sipp on 127.0.0.1, with an ephemeral local port.</summary>
    public static Dictionary<string, string?> Trunk(int index, string name, string address, string? username = null, string? password = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Carriers:Trunks:{index}:Name"] = name,
            [$"Carriers:Trunks:{index}:Kind"] = "sip",
            [$"Carriers:Trunks:{index}:Address"] = address,
            ["Carriers:Sip:ListenAddress"] = "127.0.0.1",
            ["Carriers:Sip:ListenPort"] = "0",
        };
        if (username is not null)
        {
            settings[$"Carriers:Trunks:{index}:Username"] = username;
            settings[$"Carriers:Trunks:{index}:Password"] = password;
        }
        return settings;
    }

    /// <summary>Two SIP trunks and one route over <paramref name="prefix"/> that tries them in order (failover).</summary>
    public static Dictionary<string, string?> FailoverRoute(string prefix, string firstName, string firstAddress, string secondName, string secondAddress)
    {
        var settings = Trunk(0, firstName, firstAddress);
        foreach (var (key, value) in Trunk(1, secondName, secondAddress))
        {
            settings[key] = value;
        }
        settings["Carriers:Routes:0:Prefix"] = prefix;
        settings["Carriers:Routes:0:Trunks:0"] = firstName;
        settings["Carriers:Routes:0:Trunks:1"] = secondName;
        return settings;
    }

    /// <summary>Asserts sipp ran its scenario to the end (exit 0), showing its message log when not.</summary>
    public static async Task AssertPassedAsync(SippProcess sipp)
    {
        var code = await sipp.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"sipp exited {code}:\n{await sipp.OutputAsync()}\n{sipp.Messages()}");
    }
}
