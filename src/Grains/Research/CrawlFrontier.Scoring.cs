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
            (double, bool, int, long) bestKey = default;
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

    /// <summary>Score first; among equals content before chrome, shallower, seen earlier.</summary>
    private (double Score, bool Chrome, int Depth, long Sequence) OrderOf(Candidate c) =>
        (Score(c), c.Evidence.Count > 0 && c.Evidence.All(e => e.Chrome), c.Depth, c.Sequence);

    private static bool Before((double Score, bool Chrome, int Depth, long Sequence) a, (double Score, bool Chrome, int Depth, long Sequence) b) =>
        a.Score != b.Score ? a.Score > b.Score
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
            return double.MaxValue - candidate.Sequence; // the mission's own pages, in the order named
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
        return candidate.Boost * 1_000_000 + best + SemanticWeight * candidate.Semantic;
    }

    private double Weight(Evidence evidence, string term)
    {
        var weight = (evidence.Text.Contains(term) ? TextWeight : 0) + (evidence.Url.Contains(term) ? UrlWeight : 0)
            + (evidence.Context.Contains(term) ? ContextWeight : 0);
        var misses = _misses.GetValueOrDefault(term);
        return weight == 0 || misses >= MissesToStop ? 0
            : weight * Math.Log(1 + (double)_links / Math.Max(1, _linkTerms.GetValueOrDefault(term))) / (1 + misses);
    }
}
