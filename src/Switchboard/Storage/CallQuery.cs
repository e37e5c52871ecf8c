using Switchboard.Calls;

namespace Switchboard.Storage;

/// <summary>Filters and position of a call list page (reference §5.1).</summary>
public sealed record CallQuery
{
    public required string AccountSid { get; init; }
    public string? To { get; init; }
    public string? From { get; init; }
    public CallSid? ParentCallSid { get; init; }
    /// <summary>Stored status names to match (a resource <c>queued</c> also matches <c>initiated</c>).</summary>
    public IReadOnlyList<string>? Statuses { get; init; }
    public DateTimeOffset? StartTimeFrom { get; init; }
    public DateTimeOffset? StartTimeBefore { get; init; }
    public DateTimeOffset? EndTimeFrom { get; init; }
    public DateTimeOffset? EndTimeBefore { get; init; }
    public required int PageSize { get; init; }
    /// <summary>Rows to skip when no cursor is given (the <c>Page</c> parameter without a token).</summary>
    public int Offset { get; init; }
    /// <summary>Keyset cursor: calls after (older than) this one, or before it when <see cref="Backward"/>.</summary>
    public CallSid? Cursor { get; init; }
    public bool Backward { get; init; }
}
