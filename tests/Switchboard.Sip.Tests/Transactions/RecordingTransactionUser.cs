using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.Tests.Transactions;

internal sealed class RecordingTransactionUser : IClientTransactionUser
{
    public List<SipResponse> Responses { get; } = [];

    public List<ClientTransactionFailure> Failures { get; } = [];

    public void OnResponse(ClientTransaction transaction, SipResponse response) => Responses.Add(response);

    public void OnFailure(ClientTransaction transaction, ClientTransactionFailure failure) => Failures.Add(failure);
}
