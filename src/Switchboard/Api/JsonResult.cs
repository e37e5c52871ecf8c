using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;

namespace Switchboard.Api;

/// <summary>A JSON body written field by field, so the wire shape is exactly Twilio's (names, order, nulls).</summary>
internal sealed class JsonResult(int status, Action<Utf8JsonWriter> write) : IResult
{
    // Twilio writes "+0000" and "+1415..." literally; the default encoder would escape '+' as \u002B.
    internal static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        // A pooled buffer: every API answer is written here first, so that its Content-Length is known.
        using var buffer = new ArrayPoolBufferWriter<byte>(4096);
        await using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, httpContext.RequestAborted);
    }
}
