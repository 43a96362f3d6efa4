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
}
