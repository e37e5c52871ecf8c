namespace Switchboard.Sip.Tests.Messages;

internal static class VectorFiles
{
    public static byte[] Read(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", relativePath));

    public static IEnumerable<string> List(string folder) =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Vectors", folder), "*.sip")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;
}
