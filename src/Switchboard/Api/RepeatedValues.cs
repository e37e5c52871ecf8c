using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Switchboard.Calls;

namespace Switchboard.Api;

/// <summary>
/// Shares one instance among calls created with the same value (the same caller ID, TwiML, callback URL
/// or whole set of instructions across thousands of calls): a live call then holds a reference, not its
/// own copy. Bounded, and only for short values, so it cannot grow with hostile input.
/// </summary>
internal static class RepeatedValues
{
    private const int MaxEntries = 16_384;
    private const int MaxLength = 4096;
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<CallInstructions, CallInstructions> Instructions = new();

    /// <summary>Instructions are immutable records with value equality: equal ones can be one object.</summary>
    public static CallInstructions Share(CallInstructions value)
    {
        // Pooled sets stay small: long TwiML or URLs are kept per call (at most 16,384 x ~2 KiB pooled).
        if ((value.Twiml?.Length ?? 0) + (value.Url?.Length ?? 0) + (value.StatusCallback?.Length ?? 0) + (value.FallbackUrl?.Length ?? 0) > 1024)
        {
            return value;
        }
        if (Instructions.TryGetValue(value, out var shared))
        {
            return shared;
        }
        return Instructions.Count < MaxEntries ? Instructions.GetOrAdd(value, value) : value;
    }

    [return: NotNullIfNotNull(nameof(value))]
    public static string? Share(string? value)
    {
        if (value is null || value.Length > MaxLength)
        {
            return value;
        }
        if (Pool.TryGetValue(value, out var shared))
        {
            return shared;
        }
        return Pool.Count < MaxEntries ? Pool.GetOrAdd(value, value) : value;
    }
}
