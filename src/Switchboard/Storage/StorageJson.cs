using System.Text.Json.Serialization;
using Switchboard.Calls;

namespace Switchboard.Storage;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CallInstructions))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<KeyValuePair<string, string>>))]
internal sealed partial class StorageJson : JsonSerializerContext;
