using System.Text.Json.Serialization;

namespace Switchboard.Storage;

internal sealed record StoredEventRequest(string Method, string Url, IReadOnlyList<KeyValuePair<string, string>> Parameters);

internal sealed record StoredEventResponse(int? ResponseCode, long RequestDuration, string? ContentType, string? ResponseBody, string? Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StoredEventRequest))]
[JsonSerializable(typeof(StoredEventResponse))]
internal sealed partial class StoreJsonDocs : JsonSerializerContext;
