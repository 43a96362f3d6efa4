namespace Missions.Research;

/// <summary>
/// One mission's candidates to read, best first: the links whose words and URLs are closest to the question, breadth-first
/// among equals, each URL once (a better offer later queues it again), at most <see cref="PageLimits.MaxFrontier"/>.
/// </summary>
public sealed class CrawlFrontier(IReadOnlyList<string> question)
{
    private long _sequence;
    private readonly PriorityQueue<Uri, (double Score, int Depth, long Sequence)> _queue =
        new(Comparer<(double Score, int Depth, long Sequence)>.Create((a, b) =>
            a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Depth != b.Depth ? a.Depth.CompareTo(b.Depth) : a.Sequence.CompareTo(b.Sequence)));

    /// <summary>Every URL offered, with its best offer; a better offer later queues it again.</summary>
    private readonly Dictionary<string, (double Score, int Depth)> _offered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly List<Uri> _starts = [];

    /// <summary>The question's terms.</summary>
    public IReadOnlyList<string> Question { get; } = question;

    /// <summary>The key a URL is known by: without its fragment, escaped the one way.</summary>
    public static string KeyOf(Uri url) => url.GetComponents(UriComponents.HttpRequestUrl & ~UriComponents.Fragment, UriFormat.UriEscaped);

    public void Offer(Uri url, double score, int depth)
    {
        var clean = new UriBuilder(url) { Fragment = "" }.Uri;
        var key = KeyOf(clean);
        if (_taken.Contains(key)
            || (_offered.Count >= PageLimits.MaxFrontier && !_offered.ContainsKey(key))
            || (_offered.TryGetValue(key, out var earlier) && (earlier.Score > score || (earlier.Score == score && earlier.Depth <= depth))))
        {
            return;
        }
        _offered[key] = (score, depth);
        if (depth == 0)
        {
            _starts.Add(clean);
        }
        _queue.Enqueue(clean, (score, depth, _sequence++));
    }

    /// <summary>The best URL not read yet.</summary>
    public bool TryTakeNext(out Uri url, out int depth)
    {
        while (_queue.TryDequeue(out url!, out var order))
        {
            if (_taken.Add(KeyOf(url)))
            {
                depth = order.Depth;
                return true;
            }
        }
        depth = 0;
        return false;
    }

    /// <summary>Links found and not read.</summary>
    public int Unread => _offered.Count - _taken.Count;

    /// <summary>The sites whose root the reading starts from: their sitemaps are maps worth reading.</summary>
    public IEnumerable<Uri> RootsStartedFrom() =>
        _starts.Where(u => u.AbsolutePath == "/" && u.Query.Length == 0).Select(u => new Uri(u.GetLeftPart(UriPartial.Authority))).DistinctBy(u => u.ToString());

    /// <summary>Of the links seen so far, how many carried each term: a term on every link of a section says little.</summary>
    private readonly Dictionary<string, int> _linkTerms = new(StringComparer.Ordinal);
    private int _links;

    /// <summary>
    /// How near a link is to the question: each question term it carries, weighted by how rare that term is
    /// among the links seen so far (IDF), counting twice in the link's words and once in its URL.
    /// </summary>
    public double Relevance(string linkText, Uri url)
    {
        var inText = Terms.Of(linkText).ToHashSet();
        var inUrl = Terms.Of(Uri.UnescapeDataString(url.AbsolutePath + " " + url.Query)).ToHashSet();
        _links++;
        foreach (var term in inText.Union(inUrl))
        {
            _linkTerms[term] = _linkTerms.GetValueOrDefault(term) + 1;
        }
        var score = 0.0;
        foreach (var term in Question)
        {
            var weight = (inText.Contains(term) ? 2 : 0) + (inUrl.Contains(term) ? 1 : 0);
            if (weight > 0)
            {
                score += weight * Math.Log(1 + (double)_links / _linkTerms[term]);
            }
        }
        return score;
    }
}
