namespace Missions.Research;

/// <summary>
/// What one page may put into memory, the log and the stream, whatever it holds: a page is written by anyone,
/// so every count and length it supplies is capped where it is read.
/// </summary>
public static class PageLimits
{
    /// <summary>A title, a heading or a link's text.</summary>
    public const int MaxLabelChars = 300;

    /// <summary>A URL longer than this is not followed (real ones are far shorter; browsers stop near here too).</summary>
    public const int MaxUrlChars = 2_048;

    /// <summary>Links taken from one page (content links first).</summary>
    public const int MaxLinksPerPage = 1_000;

    /// <summary>Passages kept from one page.</summary>
    public const int MaxPassagesPerPage = 2_000;

    /// <summary>URLs one mission keeps as candidates to read.</summary>
    public const int MaxFrontier = 20_000;

    /// <summary>A line of text or Markdown is cut here before any pattern looks at it.</summary>
    public const int MaxLineChars = 16 * 1024;

    /// <summary>A message about a page (an error, a note).</summary>
    public const int MaxMessageChars = 500;

    /// <summary>The text cut to <paramref name="max"/> characters, with an ellipsis when it was longer (never a split surrogate pair).</summary>
    public static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>Whitespace runs as one space, trimmed, without a regular expression (linear in the text).</summary>
    public static string Collapse(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
