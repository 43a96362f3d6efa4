namespace Missions.Research;

/// <summary>What reading one page gave: its title, its text as passages, and its links with their texts.</summary>
public sealed record PageContent
{
    /// <summary>Where the page was read (after redirects).</summary>
    public required string Url { get; init; }

    public required string Title { get; init; }

    /// <summary><c>html_reader</c> or <c>text_reader</c>; null when the page was not readable (a binary, say).</summary>
    public string? Reader { get; init; }

    public IReadOnlyList<Passage> Passages { get; init; } = [];

    public IReadOnlyList<PageLink> Links { get; init; } = [];

    /// <summary>For a sitemap index: the further sitemaps it lists.</summary>
    public IReadOnlyList<string> Sitemaps { get; init; } = [];

    /// <summary>Why the page gave nothing to read, when it did not.</summary>
    public string? SkippedBecause { get; init; }
}

/// <summary>A stretch of a page's text (a few paragraphs under one heading), the unit answers are made of.</summary>
public sealed record Passage(string Heading, string Text)
{
    /// <summary>Read under a definition's term (a <c>&lt;dt&gt;</c>): the passage says what that term is.</summary>
    public bool Defines { get; init; }
}

/// <summary>A link and the words it was shown with, which say where it leads.</summary>
public sealed record PageLink(string Url, string Text)
{
    /// <summary>
    /// The words the link stands among in the page's content: the heading above it, its list item's own words, the
    /// description a definition list gives it ("git-am(1)" — "Apply a series of patches from a mailbox").
    /// </summary>
    public string Context { get; init; } = "";

    /// <summary>Site chrome: a link in navigation, a header or footer, or a Prev/Next/Up/Home link.</summary>
    public bool Chrome { get; init; }

    /// <summary>
    /// The site's single-page edition (print this book, everything on one page): what a person searches with the
    /// browser's find when the table of contents does not name what they look for.
    /// </summary>
    public bool Map { get; init; }
}
