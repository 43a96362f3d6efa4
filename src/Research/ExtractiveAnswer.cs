using System.Text;

namespace Missions.Research;

/// <summary>A passage picked for the answer, with the page it came from and its relevance.</summary>
public sealed record RankedPassage(Passage Passage, PageContent Page, double Score);

/// <summary>
/// Ranks every passage of the pages read against the question (BM25) and composes the answer from the best,
/// each followed by its source. No model needed; it is also the fallback when a configured model fails.
/// </summary>
public static class ExtractiveAnswer
{
    public const int MaxPassages = 5;
    /// <summary>
    /// A page gives at most three of the five: a manual's section says a fact over a few passages of 60–120 words (a
    /// function's signature, then what its arguments do, then what happens on a timeout), and two cut it short; more
    /// would leave no room for a second source.
    /// </summary>
    private const int MaxPassagesPerPage = 3;
    private const int MaxPassageChars = 700;
    private const double TitleWeight = 0.2;
    private const double HeadingWeight = 0.3;
    private const double ValueWeight = 1.2;
    private const double NamedSectionWeight = 1.5;

    /// <summary>Whether a heading names one of the names, spacing aside ("subprocess. run ( args …" bears subprocess.run).</summary>
    private static bool Bears(string heading, IReadOnlyList<string> names)
    {
        if (heading.Length == 0)
        {
            return false;
        }
        var compact = string.Concat(heading.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        return names.Any(n => compact.Contains(n, StringComparison.Ordinal));
    }

    /// <summary>The best passages for the question, at most three per page; the pages' openings when nothing matches.</summary>
    public static IReadOnlyList<RankedPassage> Rank(IReadOnlyList<PageContent> pages, IReadOnlyCollection<string> question, int max = MaxPassages,
        IReadOnlyList<string>? names = null)
    {
        // The text and its heading are scored apart: a heading is shared by every passage under it, so it may
        // tip the balance between passages but not carry one whose own words do not match.
        var texts = new Bm25();
        var headings = new Bm25();
        var all = new List<(Passage Passage, PageContent Page)>();
        foreach (var page in pages)
        {
            foreach (var passage in page.Passages)
            {
                texts.Add(passage.Text);
                headings.Add(passage.Heading);
                all.Add((passage, page));
            }
        }
        var textScores = texts.Score(question);
        var headingScores = headings.Score(question);
        var scores = textScores.Select((t, i) => t > 0 ? t + HeadingWeight * headingScores[i] : 0).ToArray();
        // A section that bears a name the question gives (its heading or definition term says "subprocess.run"): the
        // question is about it, and its passages come before others that only share words. A question after a quantity
        // or a default ("how long", "how many", "by default") is answered by a passage that states one: such passages
        // weigh a little more (the lead's sentences, more).
        var asksForAValue = AnswerLead.AsksForAValue(question);
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > 0)
            {
                scores[i] *= (names is { Count: > 0 } && Bears(all[i].Passage.Heading, names) ? NamedSectionWeight : 1)
                    * (asksForAValue && AnswerLead.StatesAValue(all[i].Passage.Text) ? ValueWeight : 1);
            }
        }
        // A page whose title matches the question lends its passages a little weight: enough to break ties,
        // not enough to lift a passage that does not itself match (the title is on every passage of its page).
        var titleBonus = pages.Select(p => (p.Url, Bonus: TitleWeight * Terms.Of(p.Title).Distinct().Count(question.Contains)))
            .DistinctBy(p => p.Url).ToDictionary(p => p.Url, p => p.Bonus, StringComparer.Ordinal);
        var ranked = all.Select((p, i) => new RankedPassage(p.Passage, p.Page, scores[i] > 0 ? scores[i] + titleBonus[p.Page.Url] : 0))
            .Where(r => r.Score > 0)
            .OrderByDescending(r => r.Score)
            .ToList();
        if (ranked.Count == 0)
        {
            // Nothing matched the question's words: say what the pages open with instead.
            return pages.Where(p => p.Passages.Count > 0).Take(max).Select(p => new RankedPassage(p.Passages[0], p, 0)).ToList();
        }
        var perPage = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenText = new HashSet<string>(StringComparer.Ordinal);
        var picked = new List<RankedPassage>();
        foreach (var r in ranked)
        {
            if (picked.Count == max)
            {
                break;
            }
            if (perPage.GetValueOrDefault(r.Page.Url) < MaxPassagesPerPage && seenText.Add(r.Passage.Text))
            {
                perPage[r.Page.Url] = perPage.GetValueOrDefault(r.Page.Url) + 1;
                picked.Add(r);
            }
        }
        return picked;
    }

    /// <summary>
    /// Reciprocal-rank fusion of BM25's order (the list's) with a model's (by similarity): each passage scores
    /// 1/(k + its rank) in each, summed; the best <see cref="MaxPassages"/>, BM25's order breaking ties.
    /// </summary>
    public static IReadOnlyList<RankedPassage> Fuse(IReadOnlyList<RankedPassage> lexical, IReadOnlyList<double> similarities, int k = 60)
    {
        var semanticRank = new int[lexical.Count];
        foreach (var (index, rank) in Enumerable.Range(0, lexical.Count).OrderByDescending(i => similarities[i]).Select((i, r) => (i, r)))
        {
            semanticRank[index] = rank;
        }
        return [.. Enumerable.Range(0, lexical.Count)
            .OrderByDescending(i => 1.0 / (k + i + 1) + 1.0 / (k + semanticRank[i] + 1))
            .ThenBy(i => i)
            .Take(MaxPassages)
            .Select(i => lexical[i])];
    }

    /// <summary>The answer: a line on how it was made, the passages with their sources, then the pages read.</summary>
    public static string Compose(IReadOnlyList<RankedPassage> passages, IReadOnlyList<PageContent> pages, string preface)
    {
        var answer = new StringBuilder();
        answer.Append(preface).Append('\n');
        foreach (var r in passages)
        {
            answer.Append('\n');
            if (r.Passage.Heading.Length > 0 && !r.Passage.Text.StartsWith(r.Passage.Heading, StringComparison.Ordinal))
            {
                answer.Append(r.Passage.Heading).Append(": ");
            }
            answer.Append(Clip(r.Passage.Text)).Append('\n');
            answer.Append("— ").Append(r.Page.Title).Append(" (").Append(r.Page.Url).Append(")\n");
        }
        AppendSources(answer, pages);
        return answer.ToString().TrimEnd();
    }

    /// <summary>The closing list of pages read: every answer ends with it, extractive or written by a model.</summary>
    public static void AppendSources(StringBuilder answer, IReadOnlyList<PageContent> pages)
    {
        answer.Append("\nSources read:\n");
        for (var i = 0; i < pages.Count; i++)
        {
            answer.Append(i + 1).Append(". ").Append(pages[i].Title).Append(" — ").Append(pages[i].Url).Append('\n');
        }
    }

    public static string Clip(string text)
    {
        if (text.Length <= MaxPassageChars)
        {
            return text;
        }
        var cut = text.LastIndexOf(' ', MaxPassageChars);
        return text[..(cut > MaxPassageChars / 2 ? cut : MaxPassageChars)] + " …";
    }
}
