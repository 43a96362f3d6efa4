namespace Missions.Research;

/// <summary>
/// One mission's candidates to read, each URL once, at most <see cref="PageLimits.MaxFrontier"/>. A candidate keeps the
/// evidence every page gave of it — the link's words, its URL's words, the words it stood among (heading, list item,
/// definition), whether it was site chrome, whether it lies below the page that linked it — and is scored when the
/// next page is chosen, not when it was first seen: what the reading has taught since (the rarity of each word among
/// the links seen, the words of the passages that answered best, how near a model finds it) counts for every
/// candidate alike. Best first; among equals content before chrome, then breadth-first.
/// </summary>
public sealed partial class CrawlFrontier(IReadOnlyList<string> question)
{
    private const double TextWeight = 2;
    private const double UrlWeight = 1;
    private const double ContextWeight = 0.5;

    /// <summary>A word the passages read so far answered with counts this share of a question word.</summary>
    private const double LearnedWeight = 0.3;

    /// <summary>Chrome (Prev/Next/Home, navigation bars) keeps this share of its score.</summary>
    private const double ChromeShare = 0.5;

    /// <summary>
    /// A link below the page that offered it (the page's own table of contents) counts this much more — for the words
    /// it carries: a child that shares nothing with the question is no better than a sibling section.
    /// </summary>
    private const double ChildFactor = 1.25;

    /// <summary>Evidence kept per candidate: a link seen on many pages (a sidebar's) says nothing new after a few.</summary>
    private const int MaxEvidence = 4;

    /// <summary>
    /// Pages read for a question term that then said nothing of the question: each such page divides what the term
    /// counts for on links by one more, and after <see cref="MissesToStop"/> the term leads no more (a word every
    /// section's filler links carry stops leading the reader through them).
    /// </summary>
    private readonly Dictionary<string, int> _misses = new(StringComparer.Ordinal);

    /// <summary>The terms that led to each page taken, for <see cref="Read"/>.</summary>
    private readonly Dictionary<string, string[]> _takenFor = new(StringComparer.Ordinal);

    private const int MissesToStop = 2;

    /// <summary>Single-page editions (see <see cref="PageLink.Map"/>) read ahead of the links' scores: one per site section met (the book, the reference).</summary>
    private const int MaxMaps = 2;

    private int _maps;

    /// <summary>How much a model's similarity (cosine, 0–1) adds: enough to order links the words leave tied or near.</summary>
    public const double SemanticWeight = 1.0;

    private sealed record Evidence(HashSet<string> Text, HashSet<string> Url, HashSet<string> Context, IReadOnlySet<string> Weak, bool Chrome, bool Child);

    private sealed class Candidate(Uri url, int depth, long sequence)
    {
        public Uri Url { get; } = url;
        public int Depth { get; set; } = depth;
        public long Sequence { get; set; } = sequence;
        public bool Start { get; set; }
        public List<Evidence> Evidence { get; } = [];
        public double Semantic { get; set; }
        public bool Judged { get; set; }

        /// <summary>The words it was first shown with, as written (for a language model to read).</summary>
        public string Shown { get; set; } = "";

        /// <summary>Raised by a language model's choice: the latest choice comes before everything else.</summary>
        public int Preferred { get; set; }
    }

    private long _sequence;
    private readonly Dictionary<string, Candidate> _unread = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly List<Uri> _starts = [];

    /// <summary>Of the links seen so far, how many carried each term: a term on every link says little (IDF).</summary>
    private readonly Dictionary<string, int> _linkTerms = new(StringComparer.Ordinal);
    private int _links;

    /// <summary>Folders whose links all carried a question term, and those terms (see <see cref="OfferLinks"/>).</summary>
    private readonly List<(string Folder, HashSet<string> Words)> _sectionWords = [];

    private IReadOnlyList<string> _learned = [];

    /// <summary>The question's terms.</summary>
    public IReadOnlyList<string> Question { get; } = question;

    /// <summary>The words the best passages read so far answered with, besides the question's (see <see cref="Learn"/>).</summary>
    public IReadOnlyList<string> Learned => _learned;

    /// <summary>The key a URL is known by: without its fragment, escaped the one way.</summary>
    public static string KeyOf(Uri url) => url.GetComponents(UriComponents.HttpRequestUrl & ~UriComponents.Fragment, UriFormat.UriEscaped);

    /// <summary>A page the mission names: read first, in the order named.</summary>
    public void OfferStart(Uri url)
    {
        if (Add(url, depth: 0) is { } candidate)
        {
            candidate.Start = true;
            _starts.Add(candidate.Url);
        }
    }

    /// <summary>A page a sitemap lists: only its URL speaks for it, and it waits behind pages' links that say as much.</summary>
    public void OfferListed(Uri url, int depth) => Offer(url, depth, new Evidence([], UrlTerms(url), [], new HashSet<string>(), false, false));

    /// <summary>
    /// Offers a page's links. A question term that most of the page's links carry (the section's own word: every link
    /// of "Grains" says "grain") tells none of them apart, so it does not count for them: a section that only shares
    /// such a word with the question is no better lead than its siblings elsewhere, which are then read first
    /// (breadth-first among equals) — as a reader backs out of a chapter that turned out not to be about the question.
    /// </summary>
    public void OfferLinks(Uri page, IReadOnlyList<PageLink> links, int depth)
    {
        var parsed = links.Select(l => Uri.TryCreate(l.Url, UriKind.Absolute, out var u) ? (Link: l, Url: u) : default)
            .Where(l => l.Url is not null).ToList();
        var terms = parsed.Select(l => (Text: TextTerms(l.Link.Text), Url: UrlTerms(l.Url))).ToList(); // each link analysed once
        HashSet<string> common = new(StringComparer.Ordinal);
        var content = parsed.Count(l => !l.Link.Chrome);
        if (content >= 4)
        {
            var carrying = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < parsed.Count; i++)
            {
                if (!parsed[i].Link.Chrome)
                {
                    foreach (var term in terms[i].Text.Union(terms[i].Url).Where(Question.Contains))
                    {
                        carrying[term] = carrying.GetValueOrDefault(term) + 1;
                    }
                }
            }
            common = carrying.Where(c => c.Value * 2 > content).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            if (common.Count > 0 && _sectionWords.Count < 1_000)
            {
                // The section's word stays weak below this page's folder: the "see also" link of a page deeper in
                // the section carries it too, and would otherwise lead on through the section page by page.
                _sectionWords.Add((FolderOf(page), common));
            }
        }
        var below = ChildPrefix(page);
        for (var i = 0; i < parsed.Count; i++)
        {
            var (link, url) = parsed[i];
            var weak = common; // shared by the page's links; copied only where a section below adds its words
            var at = url.GetLeftPart(UriPartial.Path);
            foreach (var (folder, words) in _sectionWords)
            {
                if (at.StartsWith(folder, StringComparison.Ordinal) && at.Length > folder.Length && !weak.IsSupersetOf(words))
                {
                    weak = new HashSet<string>(weak, StringComparer.Ordinal);
                    weak.UnionWith(words);
                }
            }
            var child = below is not null && at.StartsWith(below, StringComparison.Ordinal) && at.Length > below.Length;
            Offer(url, depth, new Evidence(terms[i].Text, terms[i].Url, TextTerms(link.Context), weak, link.Chrome, child));
            if (_unread.TryGetValue(KeyOf(url), out var candidate))
            {
                if (link.Text.Length > 0 && candidate.Shown.Length == 0)
                {
                    candidate.Shown = link.Text;
                }
                if (link.Map && _maps < MaxMaps && candidate.Preferred == 0)
                {
                    // The site's single-page edition is looked at next: its words are all there, whatever the contents call them.
                    _maps++;
                    candidate.Preferred = _unread.Values.Max(c => c.Preferred) + 1;
                }
            }
        }
    }

    /// <summary>
    /// What the pages read so far taught: the words the best passages answered with (besides the question's). Links
    /// carrying them count for more from now on — every candidate is scored again when the next page is chosen.
    /// </summary>
    public void Learn(IReadOnlyList<string> terms) => _learned = terms.Where(t => !Question.Contains(t)).Distinct().Take(8).ToList();

    /// <summary>
    /// What reading a page showed: when it was no use (said nothing of the question, and is no map of further pages),
    /// the terms that led to it lead less from now on.
    /// </summary>
    public void Read(Uri url, bool answered)
    {
        if (!answered && _takenFor.TryGetValue(KeyOf(url), out var terms))
        {
            foreach (var term in terms)
            {
                _misses[term] = _misses.GetValueOrDefault(term) + 1;
            }
        }
    }

    /// <summary>How near a model finds a candidate's words to the question (0–1); one signal among the others.</summary>
    public void SetSimilarity(Uri url, double similarity)
    {
        if (_unread.TryGetValue(KeyOf(url), out var candidate))
        {
            candidate.Semantic = Math.Clamp(similarity, 0, 1);
        }
    }

    /// <summary>Raises a candidate to the front, as a language model's choice among the best does.</summary>
    public void Prefer(Uri url)
    {
        if (_unread.TryGetValue(KeyOf(url), out var candidate))
        {
            candidate.Preferred = _unread.Values.Max(c => c.Preferred) + 1;
        }
    }

    /// <summary>The best URL not read yet.</summary>
    public bool TryTakeNext(out Uri url, out int depth)
    {
        if (Best(1).FirstOrDefault() is not { } best)
        {
            url = null!;
            depth = 0;
            return false;
        }
        var key = KeyOf(best.Url);
        _unread.Remove(key);
        _taken.Add(key);
        if (!best.Start && _takenFor.Count < PageLimits.MaxFrontier)
        {
            _takenFor[key] = [.. Question.Where(t => best.Evidence.Any(e => !e.Weak.Contains(t) && Carries(e, t)))];
        }
        url = best.Url;
        depth = best.Depth;
        return true;
    }

    /// <summary>The best candidates now, best first, with the words they were shown with: what a language model may choose among.</summary>
    public IReadOnlyList<(Uri Url, string Words)> Top(int count) => [.. Best(count).Select(c => (c.Url, c.Shown))];

    /// <summary>A page's content links no model has judged yet, with their words (a model's time grows with the text).</summary>
    public IEnumerable<(Uri Url, string Text)> Unjudged(IReadOnlyList<PageLink> links)
    {
        foreach (var link in links)
        {
            if (!link.Chrome && link.Text.Length > 0 && Uri.TryCreate(link.Url, UriKind.Absolute, out var url)
                && _unread.TryGetValue(KeyOf(url), out var candidate) && !candidate.Judged)
            {
                candidate.Judged = true;
                yield return (url, link.Text.Length > 100 ? link.Text[..100] : link.Text);
            }
        }
    }

    /// <summary>Links found and not read.</summary>
    public int Unread => _unread.Count;

    /// <summary>The sites whose root the reading starts from: their sitemaps are maps worth reading.</summary>
    public IEnumerable<Uri> RootsStartedFrom() =>
        _starts.Where(u => u.AbsolutePath == "/" && u.Query.Length == 0).Select(u => new Uri(u.GetLeftPart(UriPartial.Authority))).DistinctBy(u => u.ToString());

    private void Offer(Uri url, int depth, Evidence evidence)
    {
        if (Add(url, depth) is not { } candidate)
        {
            return;
        }
        _links++;
        foreach (var term in evidence.Text.Union(evidence.Url))
        {
            _linkTerms[term] = _linkTerms.GetValueOrDefault(term) + 1;
        }
        if (candidate.Evidence.Count < MaxEvidence)
        {
            candidate.Evidence.Add(evidence);
        }
    }

    /// <summary>The candidate for a URL not read yet (made on first sight), or null: read, or the frontier is full.</summary>
    private Candidate? Add(Uri url, int depth)
    {
        var clean = new UriBuilder(url) { Fragment = "" }.Uri;
        var key = KeyOf(clean);
        if (_taken.Contains(key))
        {
            return null;
        }
        if (_unread.TryGetValue(key, out var known))
        {
            if (depth < known.Depth)
            {
                // Found nearer (a sitemap listed it first, then a page linked it): breadth-first from where it is now.
                known.Depth = depth;
                known.Sequence = _sequence++;
            }
            return known;
        }
        if (_unread.Count + _taken.Count >= PageLimits.MaxFrontier)
        {
            return null;
        }
        return _unread[key] = new Candidate(clean, depth, _sequence++);
    }

    private static string FolderOf(Uri page)
    {
        var path = page.GetLeftPart(UriPartial.Path);
        return path[..(path.LastIndexOf('/') + 1)];
    }

    /// <summary>What a child of the page starts with: "/guide/" for "/guide/" and "/guide" and "/guide.html", none for a site's root.</summary>
    private static string? ChildPrefix(Uri page)
    {
        if (page.AbsolutePath is "/" or "")
        {
            return null;
        }
        var path = page.GetLeftPart(UriPartial.Path);
        if (path.EndsWith('/'))
        {
            return path;
        }
        var name = path[(path.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        return path[..(path.Length - name.Length)] + (dot > 0 ? name[..dot] : name) + "/";
    }

    private static HashSet<string> TextTerms(string text) => Terms.Of(text).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> UrlTerms(Uri url) => Terms.Of(Uri.UnescapeDataString(url.AbsolutePath + " " + url.Query)).ToHashSet(StringComparer.Ordinal);

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
