namespace Switchboard.Insights;

/// <summary>A set of durations in seconds: count, mean, exact nearest-rank percentiles and a histogram.</summary>
internal sealed record Distribution
{
    /// <summary>Upper bounds in seconds of the histogram buckets; a last bucket holds everything above.</summary>
    public static readonly double[] Bounds = [0.5, 1, 2, 3, 5, 10, 20, 30, 60];

    public required int Count { get; init; }
    public double? Average { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public double? P50 { get; init; }
    public double? P95 { get; init; }
    public required int[] Buckets { get; init; }

    public static Distribution Of(IEnumerable<double> seconds)
    {
        var sorted = seconds.Order().ToArray();
        var buckets = new int[Bounds.Length + 1];
        foreach (var s in sorted)
        {
            var i = Array.FindIndex(Bounds, b => s <= b);
            buckets[i < 0 ? Bounds.Length : i]++;
        }
        if (sorted.Length == 0)
        {
            return new Distribution { Count = 0, Buckets = buckets };
        }
        return new Distribution
        {
            Count = sorted.Length,
            Average = Math.Round(sorted.Average(), 3),
            Min = sorted[0],
            Max = sorted[^1],
            P50 = Rank(sorted, 0.50),
            P95 = Rank(sorted, 0.95),
            Buckets = buckets,
        };
    }

    // Nearest rank: the smallest value with at least p of the values at or below it.
    private static double Rank(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
