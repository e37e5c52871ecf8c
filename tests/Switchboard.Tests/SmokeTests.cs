namespace Switchboard.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Twilio_Sdk_IsReferenced() => Assert.NotNull(typeof(Twilio.Rest.Api.V2010.Account.CallResource));
}
