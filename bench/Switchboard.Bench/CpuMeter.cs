using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Bench;

/// <summary>
/// How busy the machine was during a window, and how much of it was this process: other work on the
/// same cores (builds, tests of other checkouts) lowers every figure, so the report says how much there was.
/// </summary>
internal sealed class CpuMeter
{
    private readonly (long Busy, long Total) _machine = ReadMachine();
    private readonly Func<TimeSpan> _ownCpu;
    private readonly TimeSpan _own;
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Measures from now; <paramref name="alsoOurs"/> adds the CPU time of a process this benchmark started (the server).</summary>
    public CpuMeter(Func<TimeSpan>? alsoOurs = null)
    {
        _ownCpu = alsoOurs is null ? OwnCpu : () => OwnCpu() + alsoOurs();
        _own = _ownCpu();
    }

    /// <summary>Shares of the machine's total capacity (all cores) used by everything, and by this process.</summary>
    public CpuShare Stop()
    {
        var (busy, total) = ReadMachine();
        var own = (_ownCpu() - _own).TotalSeconds;
        var capacity = Stopwatch.GetElapsedTime(_started).TotalSeconds * Environment.ProcessorCount;
        var machine = total > _machine.Total ? (double)(busy - _machine.Busy) / (total - _machine.Total) : double.NaN;
        var ownShare = own / capacity;
        return new CpuShare(machine, ownShare, Math.Max(0, machine - ownShare));
    }

    private static TimeSpan OwnCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static (long Busy, long Total) ReadMachine()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal ...
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Take(8).Sum();
            var idle = fields[3] + fields[4];
            return (total - idle, total);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }
}

internal readonly record struct CpuShare(double Machine, double Own, double Others)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CPU: machine {Machine:P0}, this benchmark {Own:P0}, other processes {Others:P0}");
}

/// <summary>
/// CPU time of this process's threads by name (<c>/proc/self/task/*/comm</c>: "Switchboard sto" for the store writer,
/// "SIP UDP receive", ".NET TP Worker"), from their <c>stat</c> (user + system, in clock ticks of 10 ms): which thread a
/// phase's CPU went to, steadier from run to run than the phase's rate.
/// </summary>
internal static class ThreadCpu
{
    private const double SecondsPerTick = 0.01;

    public static Dictionary<string, double> Snapshot()
    {
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // The fields after the name in parentheses: state is the 3rd field, utime the 14th and stime the 15th.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                byName[name] = byName.GetValueOrDefault(name) + ticks * SecondsPerTick;
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }
        return byName;
    }

    /// <summary>The CPU seconds each thread name used since <paramref name="before"/> (threads that ended since are not counted).</summary>
    public static IEnumerable<(string Name, double Seconds)> Since(Dictionary<string, double> before) =>
        Snapshot().Select(t => (t.Key, t.Value - before.GetValueOrDefault(t.Key))).Where(t => t.Item2 > 0).OrderByDescending(t => t.Item2);
}
