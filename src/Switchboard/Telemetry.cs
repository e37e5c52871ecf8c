namespace Switchboard;

/// <summary>Names of the server's telemetry sources.</summary>
public static class Telemetry
{
    public const string MeterName = "Switchboard";
    public const string ActivitySourceName = "Switchboard";
}
