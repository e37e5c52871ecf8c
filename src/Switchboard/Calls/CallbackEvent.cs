namespace Switchboard.Calls;

/// <summary>Twilio's <c>StatusCallbackEvent</c> values (OAI <c>call_enum_event</c>).</summary>
[Flags]
public enum CallbackEvent
{
    None = 0,
    Initiated = 1,
    Ringing = 2,
    Answered = 4,
    Completed = 8,
}
