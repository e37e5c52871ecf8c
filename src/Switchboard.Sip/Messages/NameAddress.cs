using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>
/// The value of From, To, Contact, Route and Record-Route (RFC 3261 20.10, 20.20, 20.39):
/// an optional display name, a URI, and header parameters such as <c>tag</c>.
/// </summary>
internal sealed record NameAddress
{
    public string? DisplayName { get; init; }

    public required SipUri Uri { get; init; }

    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; init; } = [];

    public string? Tag => SipSyntax.Find(Parameters, "tag") is { Length: > 0 } tag ? tag : null;

    public NameAddress WithTag(string tag)
    {
        var parameters = Parameters.Where(p => !p.Key.Equals("tag", StringComparison.OrdinalIgnoreCase)).ToList();
        parameters.Add(new("tag", tag));
        return this with { Parameters = parameters };
    }

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NameAddress? address)
    {
        address = null;
        if (text is null)
        {
            return false;
        }

        // Read in place: only the display name, the URI's parts and the parameters become strings.
        var value = text.AsSpan().Trim();
        if (value.IsEmpty)
        {
            return false;
        }

        string? display = null;
        ReadOnlySpan<char> uriText;
        ReadOnlySpan<char> paramText;
        var open = IndexOfOutsideQuotes(value, '<');
        if (open >= 0)
        {
            var close = value[open..].IndexOf('>');
            if (close < 0)
            {
                return false;
            }

            close += open;
            var displayText = value[..open].Trim();
            if (!displayText.IsEmpty)
            {
                if (displayText[0] == '"' && (displayText.Length < 2 || displayText[^1] != '"'))
                {
                    return false;
                }

                display = displayText.ToString();
            }

            uriText = value[(open + 1)..close].Trim();
            paramText = value[(close + 1)..].Trim();
            if (paramText.Length > 0 && paramText[0] != ';')
            {
                return false;
            }
        }
        else
        {
            // RFC 3261 20.10: without angle brackets every parameter after the URI is a header parameter.
            var semicolon = value.IndexOf(';');
            uriText = (semicolon < 0 ? value : value[..semicolon]).TrimEnd();
            paramText = semicolon < 0 ? [] : value[semicolon..];
            if (uriText.Contains(' '))
            {
                return false;
            }
        }

        if (!SipUri.TryParse(uriText, out var uri) || !SipSyntax.TryParseParameters(paramText, out var parameters))
        {
            return false;
        }

        address = new NameAddress { DisplayName = display, Uri = uri, Parameters = parameters };
        return true;
    }

    private static int IndexOfOutsideQuotes(ReadOnlySpan<char> text, char target)
    {
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && c == target)
            {
                return i;
            }
        }

        return -1;
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        if (DisplayName is not null)
        {
            builder.Append(DisplayName).Append(' ');
        }

        Uri.AppendTo(builder.Append('<')).Append('>');
        return SipSyntax.AppendParameters(builder, Parameters).ToString();
    }
}
