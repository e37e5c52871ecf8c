using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>
/// The calls in flight, as a read model of committed status changes (the engine's partitions own the
/// live calls and are not read from other threads). Loaded from the store at start-up, then fed by
/// <see cref="StoreWriter.OnCommitted"/>. Every change gets a version; a bounded log of recent changes
/// lets each dashboard connection fetch what changed since its last push, coalesced per call.
/// </summary>
internal sealed class LiveCallView
{
    // 65,536 changes: 10,000 calls in flight each changing status about four times between two
    // dashboard pushes (250 ms) still fit; a reader that falls further behind gets a fresh snapshot.
    private const int LogCapacity = 1 << 16;

    private readonly Lock _lock = new();
    // The calls in flight, found by SID through _bySid: a set of calls (16 bytes an entry) rather than a map from
    // SID to call (24 bytes), since the call holds its SID.
    private readonly HashSet<Call> _live = new(BySid.Instance);
    private readonly HashSet<Call>.AlternateLookup<CallSid> _bySid;
    // The log names the calls that changed; a live call's latest state is read from _live, so only final
    // states are kept here (the view must not hold every intermediate snapshot of 100,000 calls). Entry v is at
    // v % LogCapacity, and the account is that of the live or final call: 16 bytes an entry, 1 MiB in all.
    private readonly (CallSid Sid, Call? Final)[] _log = new (CallSid, Call?)[LogCapacity];
    private readonly int[] _byStatus = new int[Enum.GetValues<CallStatus>().Length];
    private long _version;
    // Readers of the log (open dashboards): a final state is kept in the log only while one may read it. With none, a
    // call that ended is let go at once instead of living on in the log for the next 65,536 changes; a reader that comes
    // later starts from a snapshot and reads only changes made after it came.
    private int _watchers;

    public LiveCallView() => _bySid = _live.GetAlternateLookup<CallSid>();

    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    public void Load(IEnumerable<Call> unfinished)
    {
        lock (_lock)
        {
            foreach (var call in unfinished)
            {
                Put(call);
            }
        }
    }

    /// <summary>
    /// A call that runs outside the engine and is stored only when it ends (a trunk call): each of its status
    /// changes, the final one included, is shown as it happens.
    /// </summary>
    public void Track(Call call)
    {
        lock (_lock)
        {
            Put(call);
        }
    }

    /// <summary>Applies a committed batch (runs on the store writer's loop: keep it short).</summary>
    public void Apply(IReadOnlyList<StoreWrite> batch)
    {
        lock (_lock)
        {
            foreach (var write in batch)
            {
                if (write.Call is { } call && write.StatusChange is not null)
                {
                    Put(call);
                }
            }
        }
    }

    private void Put(Call call)
    {
        if (_bySid.TryGetValue(call.Sid, out var old) && _live.Remove(old))
        {
            _byStatus[(int)old.Status]--;
        }
        if (!call.Status.IsFinal())
        {
            _live.Add(call);
            _byStatus[(int)call.Status]++;
        }
        _version++;
        _log[_version % LogCapacity] = (call.Sid, _watchers > 0 && call.Status.IsFinal() ? call : null);
    }

    /// <summary>
    /// Makes the view keep final states for <see cref="ChangesSince"/> until the result is disposed. A reader calls it
    /// before its first <see cref="Snapshot"/>, so that every change after that snapshot keeps its final state.
    /// </summary>
    public IDisposable Watch()
    {
        lock (_lock)
        {
            _watchers++;
        }
        return new Watcher(this);
    }

    private sealed class Watcher(LiveCallView view) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lock (view._lock)
                {
                    view._watchers--;
                }
            }
        }
    }

    /// <summary>Calls in flight in each non-final status (all accounts), for metrics.</summary>
    public IReadOnlyList<(CallStatus Status, int Count)> CountsByStatus()
    {
        lock (_lock)
        {
            return [.. Enum.GetValues<CallStatus>().Where(s => !s.IsFinal()).Select(s => (s, _byStatus[(int)s]))];
        }
    }

    /// <summary>The account's calls in flight and the version they reflect.</summary>
    public (long Version, List<Call> Calls) Snapshot(string accountSid)
    {
        lock (_lock)
        {
            return (_version, [.. _live.Where(c => c.AccountSid == accountSid)]);
        }
    }

    /// <summary>
    /// The latest state of each of the account's calls that changed after <paramref name="since"/>
    /// (final ones included, so a reader can drop them, when the reader <see cref="Watch"/>es); null when the log no
    /// longer reaches back that far.
    /// </summary>
    public (long Version, List<Call>? Changed) ChangesSince(string accountSid, long since)
    {
        lock (_lock)
        {
            if (_version - since > LogCapacity - 1)
            {
                return (_version, null);
            }
            var latest = new Dictionary<CallSid, Call>();
            for (var v = since + 1; v <= _version; v++)
            {
                var (sid, final) = _log[v % LogCapacity];
                if (_bySid.TryGetValue(sid, out var live))
                {
                    if (live.AccountSid == accountSid)
                    {
                        latest[sid] = live;
                    }
                }
                else if (final is not null && final.AccountSid == accountSid)
                {
                    latest[sid] = final;
                }
            }
            return (_version, [.. latest.Values]);
        }
    }

    /// <summary>Calls are the same entry when their SIDs are; a SID finds its call.</summary>
    private sealed class BySid : IEqualityComparer<Call>, IAlternateEqualityComparer<CallSid, Call>
    {
        public static readonly BySid Instance = new();

        public bool Equals(Call? x, Call? y) => x is null || y is null ? ReferenceEquals(x, y) : x.Sid == y.Sid;

        public int GetHashCode(Call obj) => obj.Sid.GetHashCode();

        public bool Equals(CallSid alternate, Call other) => alternate == other.Sid;

        public int GetHashCode(CallSid alternate) => alternate.GetHashCode();

        public Call Create(CallSid alternate) => throw new NotSupportedException("Calls are added whole, not made from a SID");
    }
}
