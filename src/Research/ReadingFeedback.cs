namespace Missions.Research;

/// <summary>
/// What the pages read so far teach about where to read next: the words the best-answering passages use besides the
/// question's (a page on "etag checks" that answers well speaks of "concurrency"; a link that says "concurrency" is a
/// better lead than it looked). Every passage is indexed once, as its page is read; the words are drawn only from
/// passages that carry most of the question, so a page that merely shares a word teaches nothing.
/// </summary>
public sealed class ReadingFeedback(IReadOnlyList<string> question)
{
    private const int PassagesLearnedFrom = 3;
    private const int WordsLearned = 6;

    private readonly Bm25 _index = new();

    /// <summary>For each passage indexed, whether it carries half the question's terms (an answer's candidate); decided once.</summary>
    private readonly List<bool> _answering = [];

    /// <summary>How many of the question's terms a passage carries to count as an answer's candidate: half of them.</summary>
    private int Needed => question.Count == 1 ? 1 : (question.Count + 1) / 2;

    /// <summary>Whether the page read last had a passage carrying most of the question (see <see cref="Read"/>).</summary>
    public bool LastPageAnswered { get; private set; }

    /// <summary>Indexes a page's passages and returns the words learned from every passage read so far.</summary>
    public IReadOnlyList<string> Read(PageContent page)
    {
        LastPageAnswered = false;
        foreach (var passage in page.Passages)
        {
            var terms = _index.TermsOf(_index.Add(passage.Heading + " " + passage.Text));
            var answering = question.Count > 0 && question.Count(terms.ContainsKey) >= Needed;
            _answering.Add(answering);
            LastPageAnswered |= answering;
        }
        if (!_answering.Contains(true))
        {
            return [];
        }
        var scores = _index.Score(question);
        var best = Enumerable.Range(0, scores.Length)
            .Where(i => _answering[i] && scores[i] > 0)
            .OrderByDescending(i => scores[i])
            .Take(PassagesLearnedFrom)
            .ToList();
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var i in best)
        {
            foreach (var (term, count) in _index.TermsOf(i))
            {
                if (term.Length > 2 && !question.Contains(term) && !term.All(char.IsDigit))
                {
                    weights[term] = weights.GetValueOrDefault(term) + Math.Min(count, 3) * _index.Idf(term);
                }
            }
        }
        return weights.OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).Take(WordsLearned).Select(w => w.Key).ToList();
    }
}
