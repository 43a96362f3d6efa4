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
    public double Relevance(string linkText, Uri url) => Relevance(TextTerms(linkText), UrlTerms(url), null);

    /// <summary>
    /// Offers a page's links. A question term that most of the page's links carry (the section's own word: every link
    /// of "Grains" says "grain") tells none of them apart, so it does not count for them: a section that only shares
    /// such a word with the question is no better lead than its siblings elsewhere, which are then read first
    /// (breadth-first among equals) — as a reader backs out of a chapter that turned out not to be about the question.
    /// </summary>
    public void OfferLinks(Uri page, IReadOnlyList<(string Text, Uri Url)> links, int depth)
    {
        var terms = links.Select(l => (Text: TextTerms(l.Text), Url: UrlTerms(l.Url))).ToList(); // each link analysed once
        HashSet<string>? common = null;
        if (links.Count >= 4)
        {
            var carrying = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (text, url) in terms)
            {
                foreach (var term in text.Union(url).Where(Question.Contains))
                {
                    carrying[term] = carrying.GetValueOrDefault(term) + 1;
                }
            }
            common = carrying.Where(c => c.Value * 2 > links.Count).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            if (common.Count > 0 && _sectionWords.Count < 1_000)
            {
                // The section's word stays weak below this page's folder: the "see also" link of a page deeper in
                // the section carries it too, and would otherwise lead on through the section page by page.
                var folder = page.GetLeftPart(UriPartial.Path);
                _sectionWords.Add((folder[..(folder.LastIndexOf('/') + 1)], common));
            }
        }
        for (var i = 0; i < links.Count; i++)
        {
            var url = links[i].Url;
            var weak = common ?? [];
            var at = url.GetLeftPart(UriPartial.Path);
            foreach (var (folder, words) in _sectionWords)
            {
                if (at.StartsWith(folder, StringComparison.Ordinal) && at.Length > folder.Length)
                {
                    weak = [.. weak, .. words];
                }
            }
            Offer(url, Relevance(terms[i].Text, terms[i].Url, weak), depth);
        }
    }

    /// <summary>Folders whose links all carried a question term, and those terms (see <see cref="OfferLinks"/>).</summary>
    private readonly List<(string Folder, HashSet<string> Words)> _sectionWords = [];

    private static HashSet<string> TextTerms(string text) => Terms.Of(text).ToHashSet();

    private static HashSet<string> UrlTerms(Uri url) => Terms.Of(Uri.UnescapeDataString(url.AbsolutePath + " " + url.Query)).ToHashSet();

    private double Relevance(HashSet<string> inText, HashSet<string> inUrl, IReadOnlySet<string>? common)
    {
        _links++;
        foreach (var term in inText.Union(inUrl))
        {
            _linkTerms[term] = _linkTerms.GetValueOrDefault(term) + 1;
        }
        var score = 0.0;
        foreach (var term in Question)
        {
            if (common?.Contains(term) == true)
            {
                continue;
            }
            var weight = (inText.Contains(term) ? 2 : 0) + (inUrl.Contains(term) ? 1 : 0);
            if (weight > 0)
            {
                score += weight * Math.Log(1 + (double)_links / _linkTerms[term]);
            }
        }
        return score;
    }
}
