namespace Switchboard.Api;

/// <summary>Twilio error codes the API answers with (reference §14; each documented at https://www.twilio.com/docs/errors/{code}).</summary>
public static class TwilioErrors
{
    /// <summary>Invalid request (a malformed body or query). https://www.twilio.com/docs/errors/20001</summary>
    public const int InvalidRequest = 20001;
    /// <summary>Authentication failed. https://www.twilio.com/docs/errors/20003</summary>
    public const int Authenticate = 20003;
    /// <summary>Cannot delete a resource before it is complete. https://www.twilio.com/docs/errors/20009</summary>
    public const int NotComplete = 20009;
    /// <summary>Not found. https://www.twilio.com/docs/errors/20404</summary>
    public const int NotFound = 20404;
    /// <summary>Method not allowed. https://www.twilio.com/docs/errors/20004</summary>
    public const int MethodNotAllowed = 20004;
    /// <summary>Generic Calls resource error. https://www.twilio.com/docs/errors/21200</summary>
    public const int CallsResource = 21200;
    /// <summary>No 'To' number specified. https://www.twilio.com/docs/errors/21201</summary>
    public const int ToMissing = 21201;
    /// <summary>Invalid URL. https://www.twilio.com/docs/errors/21205</summary>
    public const int InvalidUrl = 21205;
    /// <summary>Invalid 'To' phone number. https://www.twilio.com/docs/errors/21211</summary>
    public const int InvalidTo = 21211;
    /// <summary>Invalid 'From' phone number. https://www.twilio.com/docs/errors/21212</summary>
    public const int InvalidFrom = 21212;
    /// <summary>'From' phone number is required. https://www.twilio.com/docs/errors/21213</summary>
    public const int FromMissing = 21213;
    /// <summary>Invalid ApplicationSid. https://www.twilio.com/docs/errors/21218</summary>
    public const int InvalidApplicationSid = 21218;
    /// <summary>Invalid call state. https://www.twilio.com/docs/errors/21220</summary>
    public const int InvalidCallState = 21220;
    /// <summary>Invalid 'StatusCallbackEvent' (a warning). https://www.twilio.com/docs/errors/21626</summary>
    public const int InvalidStatusCallbackEvent = 21626;

    /// <summary>Internal server error (e.g. the store could not commit). https://www.twilio.com/docs/errors/20500</summary>
    public const int Internal = 20500;

    public static string MoreInfo(int code) => $"https://www.twilio.com/docs/errors/{code}";

    public static IResult Result(int status, int code, string message) => new ErrorResult(status, code, message, null);

    public static IResult BadRequest(int code, string message) => Result(StatusCodes.Status400BadRequest, code, message);

    public static IResult NotFoundAt(string path) =>
        Result(StatusCodes.Status404NotFound, NotFound, $"The requested resource {path} was not found");

    public static IResult Unauthorized() => new ErrorResult(StatusCodes.Status401Unauthorized, Authenticate, "Authenticate",
        "Your AccountSid or AuthToken was incorrect.");

    private sealed class ErrorResult(int status, int code, string message, string? detail) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            if (status == StatusCodes.Status401Unauthorized)
            {
                response.Headers.WWWAuthenticate = "Basic realm=\"Twilio API\"";
            }
            await using var json = new System.Text.Json.Utf8JsonWriter(response.Body, JsonResult.Options);
            json.WriteStartObject();
            json.WriteNumber("code", code);
            if (detail is not null)
            {
                json.WriteString("detail", detail);
            }
            json.WriteString("message", message);
            json.WriteString("more_info", MoreInfo(code));
            json.WriteNumber("status", status);
            json.WriteEndObject();
        }
    }
}
