namespace Switchboard.Sip.Transactions;

/// <summary>RFC 3261 17 timer base values and the timers derived from them (Table 4).</summary>
internal readonly record struct SipTimers(TimeSpan T1, TimeSpan T2, TimeSpan T4)
{
    /// <summary>RFC 3261 17: T1 = 500 ms (RTT estimate), T2 = 4 s, T4 = 5 s.</summary>
    public static SipTimers Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    /// <summary>Timers B, F, H, J and M (RFC 6026): 64*T1.</summary>
    public TimeSpan TimeoutInterval => T1 * 64;

    /// <summary>RFC 3261 17.1.1.2: Timer D is at least 32 s on an unreliable transport, 0 on a reliable one.</summary>
    public static TimeSpan TimerD(bool reliable) => reliable ? TimeSpan.Zero : TimeSpan.FromSeconds(32);

    /// <summary>RFC 3261 17.1.2.2: Timer K is T4 on an unreliable transport, 0 on a reliable one.</summary>
    public TimeSpan TimerK(bool reliable) => reliable ? TimeSpan.Zero : T4;

    /// <summary>RFC 3261 17.2.1: Timer I (absorb ACK retransmissions in Confirmed) is T4 on an unreliable transport, 0 on a reliable one.</summary>
    public TimeSpan TimerI(bool reliable) => reliable ? TimeSpan.Zero : T4;
}
