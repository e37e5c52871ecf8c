using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// The transaction user (RFC 3261 17: the UA core above the transaction layer). Called outside the
/// transaction's lock, on the receive loop or a timer thread; implementations must not block.
/// </summary>
internal interface IClientTransactionUser
{
    /// <summary>A response the TU must see: every 1xx, the first final, and for INVITE every 2xx (RFC 6026).</summary>
    void OnResponse(ClientTransaction transaction, SipResponse response);

    /// <summary>Timer B or F fired, or the transport failed (RFC 3261 8.1.3.1: treat as 408 or 503).</summary>
    void OnFailure(ClientTransaction transaction, ClientTransactionFailure failure);
}

/// <summary>Why a client transaction ended without a final response.</summary>
internal enum ClientTransactionFailure
{
    /// <summary>Timer B (INVITE) or Timer F (non-INVITE) fired: a local 408.</summary>
    Timeout,

    /// <summary>The request could not be sent: a local 503 (RFC 3261 8.1.3.1).</summary>
    TransportError,
}
