using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Api;

/// <summary>Reads a form body without throwing: malformed or oversized bodies become Twilio errors.</summary>
internal static class FormReader
{
    // A Calls request is a handful of fields and at most 4,000 characters of TwiML; 64 KiB leaves room
    // for every optional parameter and refuses anything that is not a Calls request.
    public const long MaxBodyBytes = 64 * 1024;

    private static readonly FormOptions Options = new()
    {
        ValueCountLimit = 256,
        KeyLengthLimit = 256,
        ValueLengthLimit = (int)MaxBodyBytes,
        MultipartBodyLengthLimit = MaxBodyBytes,
        BufferBodyLengthLimit = MaxBodyBytes,
    };

    public static async Task<(IFormCollection? Form, IResult? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge());
        }
        if (!request.HasFormContentType)
        {
            // Twilio treats a body it cannot read as a request with no parameters.
            return (FormCollection.Empty, null);
        }
        try
        {
            request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, Options));
            return (await request.ReadFormAsync(cancellationToken), null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException or FormatException)
        {
            return (null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, "The request body is not a valid form: " + ex.Message));
        }
    }

    private static IResult TooLarge() => TwilioErrors.Result(StatusCodes.Status413PayloadTooLarge, TwilioErrors.InvalidRequest,
        $"The request body is larger than {MaxBodyBytes} bytes");
}
