namespace Switchboard.Sip.Messages;

/// <summary>Small lexical helpers shared by the header parsers (RFC 3261 25.1).</summary>
internal static class SipSyntax
{
    /// <summary>RFC 3261 25.1 token characters.</summary>
    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    /// <summary>
    /// Splits on <paramref name="separator"/> outside double quotes and angle brackets (RFC 3261 7.3.1:
    /// a comma inside a quoted display name or a URI is not a list separator).
    /// </summary>
    public static List<string> SplitOutside(string value, char separator)
    {
        var parts = new List<string>();
        var rest = value.AsSpan();
        while (true)
        {
            var at = IndexOfOutside(rest, separator);
            var part = (at < 0 ? rest : rest[..at]).Trim();
            // A value that is a single part with nothing to trim is that part: no copy.
            parts.Add(part.Length == value.Length ? value : part.ToString());
            if (at < 0)
            {
                return parts;
            }
            rest = rest[(at + 1)..];
        }
    }

    /// <summary>
    /// The index of the first <paramref name="separator"/> outside double quotes (with their backslash escapes) and angle
    /// brackets, or -1. A part between two such separators starts outside both, so each part is searched afresh.
    /// </summary>
    private static int IndexOfOutside(ReadOnlySpan<char> value, char separator)
    {
        var inQuotes = false;
        var inAngle = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\' && i + 1 < value.Length)
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == '>')
            {
                inAngle = false;
            }
            else if (c == separator && !inAngle)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Parses <c>;name[=value]</c> pairs. Returns false on an empty or non-token name.
    /// Quoted values keep their quotes so the header can be written back unchanged.
    /// </summary>
    public static bool TryParseParameters(string text, out IReadOnlyList<KeyValuePair<string, string?>> parameters) =>
        TryParseParameters(text.AsSpan(), out parameters);

    /// <inheritdoc cref="TryParseParameters(string, out IReadOnlyList{KeyValuePair{string, string}})"/>
    public static bool TryParseParameters(ReadOnlySpan<char> text, out IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        // Read in place, part by part: only the names and values become strings (the usual names shared).
        List<KeyValuePair<string, string?>>? list = null;
        parameters = [];
        var rest = text;
        while (!rest.IsEmpty)
        {
            var at = IndexOfOutside(rest, ';');
            var part = (at < 0 ? rest : rest[..at]).Trim();
            rest = at < 0 ? [] : rest[(at + 1)..];
            if (part.IsEmpty)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = (eq < 0 ? part : part[..eq]).Trim();
            if (!IsToken(name))
            {
                return false;
            }

            (list ??= []).Add(new(ParameterName(name), eq < 0 ? null : part[(eq + 1)..].Trim().ToString()));
        }

        if (list is not null)
        {
            parameters = list;
        }
        return true;
    }

    /// <summary>A parameter's name as written (case kept, to be written back unchanged): the usual ones shared.</summary>
    private static string ParameterName(ReadOnlySpan<char> name) => name switch
    {
        "branch" => "branch",
        "tag" => "tag",
        "rport" => "rport",
        "received" => "received",
        "transport" => "transport",
        "lr" => "lr",
        "user" => "user",
        "expires" => "expires",
        _ => name.ToString(),
    };

    public static string? Find(IReadOnlyList<KeyValuePair<string, string?>> parameters, string name)
    {
        // By index: a foreach over the interface would allocate an enumerator on every lookup.
        for (var i = 0; i < parameters.Count; i++)
        {
            var (key, value) = parameters[i];
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value ?? string.Empty;
            }
        }

        return null;
    }

    public static bool Has(IReadOnlyList<KeyValuePair<string, string?>> parameters, string name) => Find(parameters, name) is not null;

    /// <summary>Writes <c>;name[=value]</c> for each parameter (as read: quoted values keep their quotes).</summary>
    public static System.Text.StringBuilder AppendParameters(System.Text.StringBuilder builder, IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        // By index: a foreach over the interface would allocate an enumerator.
        for (var i = 0; i < parameters.Count; i++)
        {
            var (key, value) = parameters[i];
            builder.Append(';').Append(key);
            if (value is not null)
            {
                builder.Append('=').Append(value);
            }
        }

        return builder;
    }

    public static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"'
            ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
            : value;
}
