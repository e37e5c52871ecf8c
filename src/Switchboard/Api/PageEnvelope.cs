using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchboard.Api;

/// <summary>
/// Twilio's list envelope (reference §5.2): the record key, <c>start</c>, <c>end</c>, <c>page</c>,
/// <c>page_size</c> and relative URIs that keep the request's filters. No other top-level keys: the
/// Python SDK takes any unknown key for the record list.
/// </summary>
internal sealed class PageEnvelope
{
    public required string Path { get; init; }
    /// <summary>The request's filters, in request order, without the paging parameters.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Filters { get; init; }
    public required int Page { get; init; }
    public required int PageSize { get; init; }
    public string? PageToken { get; init; }
    public string? NextToken { get; init; }
    public string? PreviousToken { get; init; }

    public string Uri(int page, string? token)
    {
        var sb = new StringBuilder(Path).Append('?');
        foreach (var (key, value) in Filters)
        {
            sb.Append(System.Uri.EscapeDataString(key)).Append('=').Append(System.Uri.EscapeDataString(value)).Append('&');
        }
        sb.Append("PageSize=").Append(PageSize).Append("&Page=").Append(page);
        if (token is not null)
        {
            sb.Append("&PageToken=").Append(System.Uri.EscapeDataString(token));
        }
        return sb.ToString();
    }

    public void Write<T>(Utf8JsonWriter json, string recordKey, IReadOnlyList<T> records, Action<Utf8JsonWriter, T> writeRecord)
    {
        json.WriteStartObject();
        json.WriteStartArray(recordKey);
        foreach (var record in records)
        {
            writeRecord(json, record);
        }
        json.WriteEndArray();
        var start = Page * PageSize;
        json.WriteNumber("end", records.Count == 0 ? start : start + records.Count - 1);
        json.WriteString("first_page_uri", Uri(0, null));
        if (NextToken is not null)
        {
            json.WriteString("next_page_uri", Uri(Page + 1, NextToken));
        }
        else
        {
            json.WriteNull("next_page_uri");
        }
        json.WriteNumber("page", Page);
        json.WriteNumber("page_size", PageSize);
        if (Page > 0)
        {
            json.WriteString("previous_page_uri", Uri(Page - 1, PreviousToken));
        }
        else
        {
            json.WriteNull("previous_page_uri");
        }
        json.WriteNumber("start", start);
        json.WriteString("uri", Uri(Page, PageToken));
        json.WriteEndObject();
    }

    /// <summary>Sub-resources page by offset; the token carries it (<c>PA</c> + offset).</summary>
    public static int OffsetOf(string? token, int page, int pageSize) =>
        token is { Length: > 2 } && token.StartsWith("PA", StringComparison.Ordinal)
        && int.TryParse(token.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : page * pageSize;

    public static IResult OffsetPage<T>(HttpContext http, int page, int pageSize, string? token, int offset, IReadOnlyList<T> rows,
        string key, Action<System.Text.Json.Utf8JsonWriter, T> write)
    {
        var records = rows.Take(pageSize).ToList();
        var envelope = new PageEnvelope
        {
            Path = http.Request.Path,
            Filters = ListQuery.Filters(http.Request.Query),
            Page = page,
            PageSize = pageSize,
            PageToken = token,
            NextToken = rows.Count > pageSize ? "PA" + (offset + pageSize).ToString(CultureInfo.InvariantCulture) : null,
            PreviousToken = "PA" + Math.Max(0, offset - pageSize).ToString(CultureInfo.InvariantCulture),
        };
        return new JsonResult(StatusCodes.Status200OK, json => envelope.Write(json, key, records, write));
    }
}
