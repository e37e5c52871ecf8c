using System.Collections.Concurrent;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// Live client transactions, keyed as RFC 3261 17.1.3 matches responses: the top Via branch plus the
/// CSeq method (a CANCEL shares its INVITE's branch; the method tells them apart).
/// </summary>
internal sealed class ClientTransactionTable
{
    private readonly ConcurrentDictionary<(string Branch, string Method), ClientTransaction> _transactions = new();

    public int Count => _transactions.Count;

    /// <summary>How many live transactions match <paramref name="predicate"/> (diagnostics and tests).</summary>
    public int CountWhere(Func<ClientTransaction, bool> predicate) => _transactions.Values.Count(predicate);

    /// <summary>Registers the transaction before it sends, so even an immediate response finds it.</summary>
    public void Add(ClientTransaction transaction)
    {
        if (!_transactions.TryAdd((transaction.Branch, transaction.Method), transaction))
        {
            throw new InvalidOperationException("A client transaction with this branch and method already exists.");
        }
        transaction.Table = this;
    }

    /// <summary>Forgets a terminated transaction (only that one: a later one with the same key stays).</summary>
    public void Remove(ClientTransaction transaction) =>
        _transactions.TryRemove(new KeyValuePair<(string, string), ClientTransaction>((transaction.Branch, transaction.Method), transaction));

    public bool TryMatch(SipResponse response, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClientTransaction? transaction)
    {
        transaction = null;
        return response.TopVia?.Branch is { } branch
            && response.CSeq is { } cseq
            && _transactions.TryGetValue((branch, cseq.Method), out transaction);
    }

    /// <summary>The transaction that sent <paramref name="request"/>, for failures a transport reports late.</summary>
    public bool TryGet(SipRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClientTransaction? transaction)
    {
        transaction = null;
        return request.TopVia?.Branch is { } branch && _transactions.TryGetValue((branch, request.Method), out transaction);
    }

    public void AbortAll()
    {
        foreach (var transaction in _transactions.Values)
        {
            transaction.Abort();
        }

        _transactions.Clear();
    }
}
