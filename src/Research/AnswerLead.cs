using System.Text;

namespace Missions.Research;

/// <summary>
/// The answer first: the one or two sentences of the best passages that best answer the question, each cited <c>[N]</c>
/// — N is the page's place in the list of pages read. A sentence read under a definition term the sentence does not
/// name ("--force-with-lease": "This option overrides this restriction …") is given that term, so it says what it is about.
/// </summary>
public static class AnswerLead
{
    private const int PassagesConsidered = 3;
    private const int MinSentenceChars = 20;
    private const int MaxSentenceChars = 400;
    private const int MaxTermChars = 120;

    /// <summary>A second sentence joins the first when it scores at least this share of it (and comes from another passage).</summary>
    private const double SecondShare = 0.6;

    public sealed record Lead(string Text, IReadOnlyList<AnswerCitation> Citations);

    private const double ValueWeight = 1.5;

    /// <summary>Words that ask for a value, as the question's terms are: stemmed the same way ("size" is "siz").</summary>
    private static readonly HashSet<string> ValueWords = new(
        Terms.Of("default many long much port size limit number version code level year timeout"), StringComparer.Ordinal);

    internal static bool AsksForAValue(IReadOnlyCollection<string> question) => question.Any(ValueWords.Contains);

    internal static bool StatesAValue(string sentence) =>
        sentence.Any(char.IsDigit) || sentence.Contains("default", StringComparison.OrdinalIgnoreCase);

    public static Lead? Of(IReadOnlyList<RankedPassage> ranked, IReadOnlyList<PageContent> pages, IReadOnlyCollection<string> question)
    {
        if (question.Count == 0 || ranked.Count == 0 || ranked[0].Score <= 0)
        {
            return null;
        }
        var index = new Bm25();
        var candidates = new List<(string Sentence, RankedPassage From, int Rank)>();
        foreach (var (passage, rank) in ranked.Take(PassagesConsidered).Select((p, i) => (p, i)))
        {
            foreach (var sentence in Sentences(passage.Passage.Text))
            {
                index.Add(sentence);
                candidates.Add((sentence, passage, rank));
            }
        }
        if (candidates.Count == 0)
        {
            return null;
        }
        var scores = index.Score(question);
        // A question after a quantity or a default ("how many", "how long", "which port", "by default") is answered by
        // a sentence that states one: such sentences weigh more.
        if (AsksForAValue(question))
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                if (scores[i] > 0 && StatesAValue(candidates[i].Sentence))
                {
                    scores[i] *= ValueWeight;
                }
            }
        }
        // A sentence's own words decide; the passage's rank breaks ties (the best passage's sentence first).
        var order = Enumerable.Range(0, candidates.Count)
            .Where(i => scores[i] > 0)
            .OrderByDescending(i => scores[i] - 0.01 * candidates[i].Rank)
            .ToList();
        if (order.Count == 0)
        {
            return null;
        }
        var first = candidates[order[0]];
        var picked = new List<(string Sentence, RankedPassage From)> { (first.Sentence, first.From) };
        if (AsksForAValue(question) && first.From.Passage.Defines && !first.Sentence.Any(char.IsDigit)
            && ValueOfTheDefinition(first.Sentence, first.From, question) is { } value)
        {
            picked.Add((value, first.From));
        }
        else
        {
            var second = order.Skip(1).FirstOrDefault(i => candidates[i].From != first.From && scores[i] >= SecondShare * scores[order[0]], -1);
            if (second >= 0)
            {
                picked.Add((candidates[second].Sentence, candidates[second].From));
            }
        }
        var text = new StringBuilder();
        var citations = new List<AnswerCitation>();
        foreach (var (sentence, from) in picked)
        {
            var n = IndexOf(pages, from.Page) + 1;
            var said = text.Length > 0 && from == picked[0].From ? sentence : WithTerm(sentence, from.Passage.Heading);
            text.Append(text.Length > 0 ? " " : "").Append(said).Append(" [").Append(n).Append(']');
            if (citations.All(c => c.N != n || c.Quote != said))
            {
                citations.Add(new AnswerCitation { N = n, Url = from.Page.Url, Title = from.Page.Title, Quote = said });
            }
        }
        return new Lead(text.ToString(), citations);
    }

    /// <summary>
    /// The question asks for a value and the best sentence names what it asks about without stating one ("gc.auto: When
    /// there are more than this many loose objects …"): a reference manual states the value further on in the same
    /// definition ("Default value is 6700."). The definition is the passages of that page read under the same term.
    /// </summary>
    private static string? ValueOfTheDefinition(string first, RankedPassage from, IReadOnlyCollection<string> question)
    {
        var passages = from.Page.Passages;
        var at = -1;
        for (var i = 0; i < passages.Count && at < 0; i++)
        {
            if (passages[i] == from.Passage)
            {
                at = i;
            }
        }
        if (at < 0)
        {
            return null;
        }
        var index = new Bm25();
        var sentences = new List<string>();
        var start = at;
        while (start > 0 && start > at - DefinitionPassages && passages[start - 1].Heading == from.Passage.Heading)
        {
            start--;
        }
        for (var i = start; i < passages.Count && i < at + DefinitionPassages && passages[i].Heading == from.Passage.Heading; i++)
        {
            foreach (var sentence in Sentences(passages[i].Text))
            {
                if (sentence != first)
                {
                    index.Add(sentence);
                    sentences.Add(sentence);
                }
            }
        }
        // Asked for a default, the first sentence that says "default" with a number is the value (a definition states
        // its value before it recounts the versions that changed it); otherwise the number's sentence that shares most.
        if (question.Contains("default"))
        {
            return sentences.FirstOrDefault(s => s.Any(char.IsDigit) && s.Contains("default", StringComparison.OrdinalIgnoreCase));
        }
        var scores = index.Score(question);
        var best = -1;
        for (var i = 0; i < sentences.Count; i++)
        {
            if (scores[i] > 0 && sentences[i].Any(char.IsDigit) && (best < 0 || scores[i] > scores[best]))
            {
                best = i;
            }
        }
        return best < 0 ? null : sentences[best];
    }

    /// <summary>How far a definition is read for its value: a few passages of the same heading either side.</summary>
    private const int DefinitionPassages = 4;

    private static int IndexOf(IReadOnlyList<PageContent> pages, PageContent page)
    {
        for (var i = 0; i < pages.Count; i++)
        {
            if (ReferenceEquals(pages[i], page) || pages[i].Url == page.Url)
            {
                return i;
            }
        }
        return 0;
    }

    /// <summary>The sentence, led by the definition term it was read under when it does not name it.</summary>
    private static string WithTerm(string sentence, string heading)
    {
        var at = heading.LastIndexOf(" › ", StringComparison.Ordinal);
        if (at < 0)
        {
            return sentence;
        }
        var term = heading[(at + 3)..];
        if (term.Length > MaxTermChars)
        {
            term = term[..MaxTermChars] + "…";
        }
        var name = term.Split([' ', ',', '('], 2)[0];
        return name.Length > 0 && sentence.Contains(name, StringComparison.Ordinal) ? sentence : $"{term}: {sentence}";
    }

    /// <summary>A passage's sentences: cut after '.', '!' or '?' followed by a space and a capital or a digit; short ones join the next.</summary>
    public static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length - 2; i++)
        {
            if (text[i] is '.' or '!' or '?' && text[i + 1] == ' ' && (char.IsUpper(text[i + 2]) || char.IsDigit(text[i + 2]))
                && i + 1 - start >= MinSentenceChars)
            {
                sentences.Add(Clip(text[start..(i + 1)].Trim()));
                start = i + 2;
            }
        }
        var rest = text[start..].Trim();
        if (rest.Length > 0)
        {
            if (rest.Length < MinSentenceChars && sentences.Count > 0)
            {
                sentences[^1] = Clip(sentences[^1] + " " + rest);
            }
            else
            {
                sentences.Add(Clip(rest));
            }
        }
        return sentences;
    }

    private static string Clip(string sentence)
    {
        if (sentence.Length <= MaxSentenceChars)
        {
            return sentence;
        }
        var cut = sentence.LastIndexOf(' ', MaxSentenceChars);
        return sentence[..(cut > MaxSentenceChars / 2 ? cut : MaxSentenceChars)] + " …";
    }
}
