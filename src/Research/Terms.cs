using System.Text.RegularExpressions;

namespace Missions.Research;

/// <summary>
/// Words as the agent compares them: lower-cased, without stop words, plurals folded ("reminders" = "reminder").
/// The same analysis is applied to the question, link texts and passages.
/// </summary>
public static partial class Terms
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
        "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
        "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
        "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that",
        "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
        "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "whom", "why", "will", "with", "would", "you", "your", "yours",
        // the words of a request's manner, never its subject
        "tell", "explain", "please", "using", "max", "maximum", "least", "within", "urgent", "asap", "priority", "rush",
        "need", "want", "know", "give", "let", "tl", "dr",
    };

    /// <summary>
    /// The verbs of asking for work ("research …", "fetch …", "look up …"): dropped where a request starts, kept
    /// anywhere else — in "how do I prune branches when fetching" or a manual's "git fetch", fetch is the subject.
    /// </summary>
    private static readonly HashSet<string> AskingWords = new(StringComparer.Ordinal)
    {
        "research", "find", "look", "search", "summarize", "summarise", "summary", "read", "page", "site", "website",
        "web", "fetch", "check", "download", "grab", "crawl", "scrape", "collect", "investigate", "explore", "gather",
        "lookup", "dig", "verify", "monitor", "review", "audit", "watch", "compare", "analyze", "analyse", "study",
    };

    /// <summary>The analyzed words of a text, in order (repeats kept: they are term frequencies).</summary>
    public static IEnumerable<string> Of(string text)
    {
        foreach (Match word in Word().Matches(text))
        {
            var lower = word.Value.ToLowerInvariant();
            if (lower.Length > 2 && lower[^1] == 's' && lower[^2] is '\'' or '’')
            {
                lower = lower[..^2]; // a possessive is its word: "Cargo's release profile" is about cargo
            }
            var term = StopWords.Contains(lower) ? "" : Stem(lower); // "does" is a stop word before it is stemmed to "doe"
            if (term.Length > 1 && !StopWords.Contains(term))
            {
                yield return term;
            }
        }
    }

    /// <summary>
    /// A mission's description as words to read, without its links, site names and budget phrases: what a sentence
    /// model is given of the question.
    /// </summary>
    public static string Subject(string description)
    {
        var text = Links().Replace(description, " ");
        // Only what names a site goes: "sqlite3.connect" and "textwrap.wrap" are what the question is about.
        text = DomainNames().Replace(text, m => DomainShape.IsDomain(m.Value) ? " " : m.Value);
        return Budgets().Replace(text, " ");
    }

    /// <summary>
    /// The names a question gives of things in code or on a command line — a qualified name (<c>subprocess.run</c>,
    /// <c>Path.mkdir</c>), an option (<c>--autosquash</c>), an identifier with an underscore (<c>ensure_ascii</c>) — as
    /// written, lower-cased. A manual's section that bears such a name is the one the question is about.
    /// </summary>
    public static IReadOnlyList<string> NamesIn(string description) =>
        [.. CodeNames().Matches(Subject(description)).Select(m => m.Groups["name"].Value.TrimEnd('.').ToLowerInvariant()).Where(n => n.Length > 2).Distinct().Take(8)];

    /// <summary>
    /// What a mission asks about: its description without links, domain names and budget phrases
    /// ("up to 5 pages", "within 2 minutes"), as distinct terms.
    /// </summary>
    public static IReadOnlyList<string> OfQuestion(string description)
    {
        var text = Subject(description);
        // The request's own verbs go where the request starts ("research …", "please look up …"), nowhere else.
        // (An asking word is never a stop word, so the ones that lead the text lead its terms too.)
        var leading = Word().Matches(text).Select(w => w.Value.ToLowerInvariant()).SkipWhile(w => w == "please")
            .TakeWhile(w => AskingWords.Contains(Stem(w))).Count();
        return Of(text).Skip(leading).Distinct().ToList();
    }

    /// <summary>
    /// A light stemmer (after Porter's first steps): plurals folded ("reminders" = "reminder"), then one derivational
    /// or inflectional suffix, so "detect", "detects", "detected", "detecting" and "detection" meet, as do
    /// "activate", "activated" and "activation". Applied alike to questions, links and passages.
    /// </summary>
    private static string Stem(string word)
    {
        var stem = Suffixed(FoldPlural(word));
        // A final "e" goes, so "prune" meets "pruning" and "make" "making" ("prun", "mak") — unless that leaves a stop
        // word ("note" is not "not").
        return stem.Length > 3 && stem[^1] == 'e' && !StopWords.Contains(stem[..^1]) ? stem[..^1] : stem;
    }

    private static string Suffixed(string word)
    {
        if (word.Length <= 4)
        {
            return word;
        }
        foreach (var (suffix, replacement) in Suffixes)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal) && word.Length - suffix.Length >= 3)
            {
                var stem = word[..^suffix.Length];
                if (replacement.Length > 0)
                {
                    return stem + replacement;
                }
                // "activat" + e, "creat" + e; "runn" → "run"
                if (stem.EndsWith("at", StringComparison.Ordinal) || stem.EndsWith("iz", StringComparison.Ordinal) || stem.EndsWith("bl", StringComparison.Ordinal))
                {
                    return stem + "e";
                }
                if (stem.Length > 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') && !IsVowel(stem[^1]))
                {
                    return stem[..^1];
                }
                return stem;
            }
        }
        return word;
    }

    private static readonly (string Suffix, string Replacement)[] Suffixes =
    [
        ("ization", "ize"), ("ational", "ate"), ("ation", "ate"), ("ator", "ate"),
        ("ions", ""), ("ion", ""), ("ings", ""), ("ing", ""), ("edly", ""), ("ed", ""), ("ments", ""), ("ment", ""), ("ness", ""),
    ];

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    private static string FoldPlural(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }
        if (word.Length > 4 && (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)
            || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)))
        {
            return word[..^2];
        }
        if (word.Length > 3 && word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i'))
        {
            return word[..^1];
        }
        return word;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}]+)?", RegexOptions.NonBacktracking)]
    private static partial Regex Word();

    [GeneratedRegex(@"https?://\S+", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Links();

    [GeneratedRegex(@"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex DomainNames();

    [GeneratedRegex(@"(?<name>\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)|(?:^|[\s(""'])(?<name>--?[A-Za-z][A-Za-z0-9-]+)|(?<name>\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+)", RegexOptions.NonBacktracking)]
    private static partial Regex CodeNames();

    [GeneratedRegex(@"\b\d+\s*-?\s*(?:web\s*)?(?:pages?|seconds?|secs?|minutes?|mins?|hours?|hrs?|s|m|h)\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Budgets();
}
