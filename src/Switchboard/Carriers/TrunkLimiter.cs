namespace Switchboard.Carriers;

/// <summary>
/// A trunk's concurrent-call limit, shared by every partition. A queued call asks for a slot when its
/// turn comes (<see cref="TryAdmit"/>); when the trunk is full it waits, in arrival order, and the slot
/// freed by the next leg that ends is held for the first waiter, which is then woken.
/// </summary>
public sealed class TrunkLimiter(int maxConcurrentCalls)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly LinkedList<(string CallSid, Action Wake)> _waiting = new();
    private int _active;

    /// <summary>Legs up (or slots held for queued calls) on this trunk.</summary>
    public int Active
    {
        get
        {
            lock (_lock)
            {
                return _active;
            }
        }
    }

    /// <summary>Queued calls waiting for a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// For a queued call whose turn came: true when a slot is held for it (the next <see cref="TryTake"/>
    /// for the call uses it); false when it must wait, and then <paramref name="wake"/> runs once a slot is
    /// held for it.
    /// </summary>
    public bool TryAdmit(string callSid, Action wake)
    {
        lock (_lock)
        {
            if (_held.Contains(callSid))
            {
                return true;
            }
            if (maxConcurrentCalls <= 0 || (_waiting.Count == 0 && _active < maxConcurrentCalls))
            {
                _active++;
                _held.Add(callSid);
                return true;
            }
            if (!_waiting.Any(w => w.CallSid == callSid))
            {
                _waiting.AddLast((callSid, wake));
            }
            return false;
        }
    }

    /// <summary>Takes the slot held for the call, or a free one that no queued call waits for; false when full.</summary>
    public bool TryTake(string callSid)
    {
        lock (_lock)
        {
            if (_held.Remove(callSid))
            {
                return true;
            }
            if (maxConcurrentCalls <= 0 || (_waiting.Count == 0 && _active < maxConcurrentCalls))
            {
                _active++;
                return true;
            }
            return false;
        }
    }

    /// <summary>A leg ended: its slot goes to the first waiting call, if any.</summary>
    public void Release()
    {
        Action? wake;
        lock (_lock)
        {
            _active--;
            wake = HandOver();
        }
        wake?.Invoke();
    }

    /// <summary>A queued call no longer wants its slot (canceled while it waited): forget it, free what it held.</summary>
    public void Withdraw(string callSid)
    {
        Action? wake = null;
        lock (_lock)
        {
            for (var node = _waiting.First; node is not null; node = node.Next)
            {
                if (node.Value.CallSid == callSid)
                {
                    _waiting.Remove(node);
                    break;
                }
            }
            if (_held.Remove(callSid))
            {
                _active--;
                wake = HandOver();
            }
        }
        wake?.Invoke();
    }

    private Action? HandOver()
    {
        if (_waiting.First is not { } first || _active >= maxConcurrentCalls)
        {
            return null;
        }
        _waiting.RemoveFirst();
        _active++;
        _held.Add(first.Value.CallSid);
        return first.Value.Wake;
    }
}
