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
        var inQuotes = false;
        var inAngle = false;
        var start = 0;
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
                parts.Add(value[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(value[start..].Trim());
        return parts;
    }

    /// <summary>
    /// Parses <c>;name[=value]</c> pairs. Returns false on an empty or non-token name.
    /// Quoted values keep their quotes so the header can be written back unchanged.
    /// </summary>
    public static bool TryParseParameters(string text, out IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        var list = new List<KeyValuePair<string, string?>>();
        parameters = list;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var part in SplitOutside(text, ';'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? part : part[..eq]).Trim();
            if (!IsToken(name))
            {
                return false;
            }

            var value = eq < 0 ? null : part[(eq + 1)..].Trim();
            list.Add(new(name, value));
        }

        return true;
    }

    public static string? Find(IReadOnlyList<KeyValuePair<string, string?>> parameters, string name)
    {
        foreach (var (key, value) in parameters)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value ?? string.Empty;
            }
        }

        return null;
    }

    public static bool Has(IReadOnlyList<KeyValuePair<string, string?>> parameters, string name) => Find(parameters, name) is not null;

    public static string Format(IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        if (parameters.Count == 0)
        {
            return string.Empty;
        }

        var builder = new System.Text.StringBuilder();
        foreach (var (key, value) in parameters)
        {
            builder.Append(';').Append(key);
            if (value is not null)
            {
                builder.Append('=').Append(value);
            }
        }

        return builder.ToString();
    }

    public static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"'
            ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
            : value;
}
