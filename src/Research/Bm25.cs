namespace Missions.Research;

/// <summary>
/// Okapi BM25 over a set of passages: how well each answers a question's terms, with rare terms weighing more
/// and long passages not winning by length alone.
/// </summary>
public sealed class Bm25
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly List<Dictionary<string, int>> _termCounts = [];
    private readonly List<int> _lengths = [];
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);

    /// <summary>Adds a document (a passage with its heading and page title); returns its index.</summary>
    public int Add(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        foreach (var term in Terms.Of(text))
        {
            counts[term] = counts.GetValueOrDefault(term) + 1;
            length++;
        }
        foreach (var term in counts.Keys)
        {
            _documentFrequency[term] = _documentFrequency.GetValueOrDefault(term) + 1;
        }
        _termCounts.Add(counts);
        _lengths.Add(length);
        return _termCounts.Count - 1;
    }

    public int Count => _termCounts.Count;

    /// <summary>A document's terms and how often each occurs in it.</summary>
    public IReadOnlyDictionary<string, int> TermsOf(int index) => _termCounts[index];

    /// <summary>How rare a term is among the documents (0 when none has it).</summary>
    public double Idf(string term) =>
        _documentFrequency.TryGetValue(term, out var df) ? Math.Log(1 + (Count - df + 0.5) / (df + 0.5)) : 0;

    /// <summary>The score of every document against the query's terms, in the order they were added.</summary>
    public double[] Score(IReadOnlyCollection<string> query)
    {
        var scores = new double[_termCounts.Count];
        if (scores.Length == 0)
        {
            return scores;
        }
        var averageLength = Math.Max(1, _lengths.Average());
        foreach (var term in query)
        {
            if (!_documentFrequency.TryGetValue(term, out var df))
            {
                continue;
            }
            var idf = Math.Log(1 + (scores.Length - df + 0.5) / (df + 0.5));
            for (var i = 0; i < scores.Length; i++)
            {
                if (_termCounts[i].TryGetValue(term, out var tf))
                {
                    scores[i] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * _lengths[i] / averageLength));
                }
            }
        }
        return scores;
    }
}
