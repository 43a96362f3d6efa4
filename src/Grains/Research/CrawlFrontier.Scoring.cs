namespace Missions.Research;

/// <summary>How the frontier orders its candidates: scored now, with everything the reading has taught so far.</summary>
public sealed partial class CrawlFrontier
{
    private IEnumerable<Candidate> Best(int count)
    {
        if (count == 1)
        {
            // One pass, no sort: this runs before every page.
            Candidate? best = null;
            (int, double, bool, int, long) bestKey = default;
            foreach (var candidate in _unread.Values)
            {
                var key = OrderOf(candidate);
                if (best is null || Before(key, bestKey))
                {
                    (best, bestKey) = (candidate, key);
                }
            }
            return best is null ? [] : [best];
        }
        var keyed = _unread.Values.Select(c => (Candidate: c, Key: OrderOf(c))).ToList();
        keyed.Sort((a, b) => Before(a.Key, b.Key) ? -1 : Before(b.Key, a.Key) ? 1 : 0);
        return keyed.Take(count).Select(k => k.Candidate);
    }

    /// <summary>A language model's latest choice first, then the score; among equals content before chrome, shallower, seen earlier.</summary>
    private (int Preferred, double Score, bool Chrome, int Depth, long Sequence) OrderOf(Candidate c) =>
        (c.Preferred, Score(c), c.Evidence.Count > 0 && c.Evidence.All(e => e.Chrome), c.Depth, c.Sequence);

    private static bool Before((int Preferred, double Score, bool Chrome, int Depth, long Sequence) a, (int Preferred, double Score, bool Chrome, int Depth, long Sequence) b) =>
        a.Preferred != b.Preferred ? a.Preferred > b.Preferred
        : a.Score != b.Score ? a.Score > b.Score
        : a.Chrome != b.Chrome ? !a.Chrome
        : a.Depth != b.Depth ? a.Depth < b.Depth
        : a.Sequence < b.Sequence;

    /// <summary>
    /// How near a candidate is to the question: each question term it carries, weighted by how rare that term is among
    /// the links seen (IDF), counting twice in the link's words, once in its URL and half in the words around it; the
    /// learned words a third as much; chrome half as much; its best evidence counts. A model's similarity adds to it.
    /// </summary>
    private double Score(Candidate candidate)
    {
        if (candidate.Start)
        {
            return double.MaxValue; // the mission's own pages first, in the order named (their sequence)
        }
        var best = 0.0;
        foreach (var evidence in candidate.Evidence)
        {
            var score = 0.0;
            foreach (var term in Question)
            {
                if (!evidence.Weak.Contains(term))
                {
                    score += Weight(evidence, term);
                }
            }
            foreach (var term in _learned)
            {
                score += LearnedWeight * Weight(evidence, term);
            }
            best = Math.Max(best, score * (evidence.Chrome ? ChromeShare : 1) * (evidence.Child ? ChildFactor : 1));
        }
        return best + SemanticWeight * candidate.Semantic;
    }

    /// <summary>Whether a term is in the link's words, its URL or the words around it.</summary>
    private static bool Carries(Evidence evidence, string term) =>
        evidence.Text.Contains(term) || evidence.Url.Contains(term) || evidence.Context.Contains(term);

    private double Weight(Evidence evidence, string term)
    {
        var weight = (evidence.Text.Contains(term) ? TextWeight : 0) + (evidence.Url.Contains(term) ? UrlWeight : 0)
            + (evidence.Context.Contains(term) ? ContextWeight : 0);
        var misses = _misses.GetValueOrDefault(term);
        return weight == 0 || misses >= MissesToStop ? 0
            : weight * Math.Log(1 + (double)_links / Math.Max(1, _linkTerms.GetValueOrDefault(term))) / (1 + misses);
    }
}
