using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Missions.Log;

/// <summary>
/// Finds missions by the words of their objective and answer, by the first characters of their id, and by when they
/// were made — from an index in memory beside the <see cref="MissionIndex"/>, not by reading the log.
/// <para>
/// Each mission's objective is a document, and so is each end's answer (or error); each word (letters and digits,
/// lower-cased) keeps the ascending numbers of its documents, delta-encoded in bytes (a word in every mission costs
/// about a byte a mission). A query word of three or more characters matches every word it begins ("remind" finds
/// "reminders"); all of a query's words must match; a query that could be an id's start also finds those ids.
/// </para>
/// <para>
/// Built in the background: at start it reads each mission's creation line and, for one that has ended, its end, in
/// creation order (the index knows where they are); from then on it takes them as they are indexed
/// (<see cref="MissionIndex.Observer"/>), reading nothing. Until it has caught up, a search answers from the missions
/// read so far and says how far that is.
/// </para>
/// </summary>
public sealed partial class MissionSearch : BackgroundService
{
    public const int MaxQueryLength = 200;
    public const int MaxQueryWords = 8;

    /// <summary>Longer runs of letters (a hash, a base64 blob) are not words anyone types.</summary>
    private const int MaxWordLength = 40;

    /// <summary>Of an answer: its lead and passages, what people remember of it.</summary>
    private const int MaxTextLength = 8_000;

    /// <summary>Words are found by their first three characters, then by the rest of the query word.</summary>
    private const int StartLength = 3;

    /// <summary>An id is found by its first four characters, then by the rest of the query.</summary>
    private const int IdStartLength = 4;

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    /// <summary>Once caught up, how long a round waits to take what arrives together.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "is", "it", "of", "on", "or", "the",
        "to", "up", "what", "with",
    };

    private readonly MissionLogReader _reader;
    private readonly ILogger<MissionSearch> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Postings> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Postings>.AlternateLookup<ReadOnlySpan<char>> _wordsSpan;
    private readonly Dictionary<string, List<string>> _wordsByStart = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>>.AlternateLookup<ReadOnlySpan<char>> _wordsByStartSpan;
    private readonly Dictionary<ulong, List<int>> _idsByStart = [];
    private readonly ConcurrentQueue<(int Order, MissionEvent Event)> _arrived = new();
    private readonly SemaphoreSlim _wake = new(0);
    private int _signalled;

    /// <summary>Each document's mission (its place in creation order).</summary>
    private int[] _documentOrder = new int[1024];
    private int _documents;

    /// <summary>When each mission was made (UTC ticks), by place in creation order; 0 for a schedule's stream.</summary>
    private long[] _createdTicks = new long[1024];

    /// <summary>The earliest and latest creation time in each block of 4,096 places (a date search skips the others).</summary>
    private long[] _blockLow = [];
    private long[] _blockHigh = [];
    private const int BlockShift = 12;

    /// <summary>Places in creation order read so far: every mission before it is searchable.</summary>
    private volatile int _indexed;

    public MissionSearch(MissionLogReader reader, ILogger<MissionSearch> logger)
    {
        _reader = reader;
        _logger = logger;
        _wordsSpan = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        _wordsByStartSpan = _wordsByStart.GetAlternateLookup<ReadOnlySpan<char>>();
        reader.Index.Observer = Arrived;
    }

    /// <summary>How many places in creation order (missions and schedules) are searchable, and whether that is all of them.</summary>
    public (int Indexed, bool Complete) Progress
    {
        get
        {
            var indexed = _indexed;
            return (indexed, indexed >= _reader.Index.Count);
        }
    }

    /// <summary>Distinct words known, and documents indexed (for the bench and the log).</summary>
    public (int Words, int Documents) Size
    {
        get { lock (_lock) { return (_words.Count, _documents); } }
    }

    /// <summary>
    /// A filter for <see cref="MissionIndex.Newest"/>: the missions whose objective or answer has every word of
    /// <paramref name="text"/> (or whose id begins with it), made between <paramref name="from"/> and
    /// <paramref name="to"/> (UTC, both inclusive). Only missions already indexed match (see <see cref="Progress"/>).
    /// </summary>
    public Match Find(string? text, DateTime? from, DateTime? to)
    {
        var words = QueryWords(text);
        var idStart = IdStart(text);
        ulong[]? bits = null;
        long[] ticks;
        long[] blockLow;
        long[] blockHigh;
        int known;
        List<int>? idCandidates = null;
        lock (_lock)
        {
            known = _indexed;
            (ticks, blockLow, blockHigh) = (_createdTicks, _blockLow, _blockHigh);
            if (words.Count > 0 || idStart is not null)
            {
                bits = new ulong[(known + 63) / 64];
                if (words.Count > 0)
                {
                    MatchAll(words, bits);
                }
                if (idStart is not null && _idsByStart.TryGetValue(IdKey(idStart), out var candidates))
                {
                    idCandidates = [.. candidates];
                }
            }
            else if (!string.IsNullOrWhiteSpace(text))
            {
                known = 0; // words too short or only punctuation: nothing has them
            }
        }
        if (idCandidates is not null)
        {
            foreach (var order in idCandidates)
            {
                if (order < known && _reader.Index.IdAt(order) is { } id && id.StartsWith(idStart!, StringComparison.OrdinalIgnoreCase))
                {
                    bits![order >> 6] |= 1UL << order;
                }
            }
        }
        return new Match(words, known, bits, from is null && to is null ? null : (ticks, blockLow, blockHigh, from?.Ticks ?? long.MinValue, to?.Ticks ?? long.MaxValue));
    }

    /// <summary>
    /// What a search accepts, by place in creation order: the places whose bit is set (words, ids) and whose creation
    /// time is in range. It skips to the next candidate without looking at each mission: over a word's bits 64 at a
    /// time, over blocks of 4,096 missions none of which was made in the range.
    /// </summary>
    public sealed class Match(IReadOnlyList<string> words, int known, ulong[]? bits, (long[] Ticks, long[] BlockLow, long[] BlockHigh, long Low, long High)? dates) : MissionIndex.IFilter
    {
        /// <summary>The words looked for (the query's, without the small ones when it has others).</summary>
        public IReadOnlyList<string> Words => words;

        public bool Matches(int order) => order >= 0 && order < known
            && (bits is null || (bits[order >> 6] & (1UL << order)) != 0)
            && (dates is not { } d || d.Ticks[order] != 0 && d.Ticks[order] >= d.Low && d.Ticks[order] <= d.High);

        public int Previous(int order)
        {
            order = Math.Min(order, known - 1);
            while (order >= 0)
            {
                if (dates is { } d && (order >> BlockShift) < d.BlockLow.Length
                    && (d.BlockLow[order >> BlockShift] > d.High || d.BlockHigh[order >> BlockShift] < d.Low))
                {
                    order = ((order >> BlockShift) << BlockShift) - 1; // no mission of this block was made in the range
                    continue;
                }
                if (bits is null)
                {
                    return order;
                }
                var word = bits[order >> 6] & (ulong.MaxValue >> (63 - (order & 63)));
                if (word != 0)
                {
                    return ((order >> 6) << 6) + 63 - System.Numerics.BitOperations.LeadingZeroCount(word);
                }
                order = ((order >> 6) << 6) - 1;
            }
            return -1;
        }
    }

    /// <summary>Marks in <paramref name="bits"/> the missions that have every word (rarest first; stops when none is left).</summary>
    private void MatchAll(List<string> words, ulong[] bits)
    {
        var groups = words.Select(Matching).OrderBy(g => g.Sum(p => (long)p.Count)).ToList();
        var first = true;
        foreach (var group in groups)
        {
            var these = first ? bits : new ulong[bits.Length];
            foreach (var postings in group)
            {
                postings.Mark(_documentOrder, these);
            }
            if (!first)
            {
                var any = 0UL;
                for (var i = 0; i < bits.Length; i++)
                {
                    any |= bits[i] &= these[i];
                }
                if (any == 0)
                {
                    return;
                }
            }
            first = false;
        }
    }

    /// <summary>The postings of every word the query word matches: itself, and the words it begins when it is 3 characters or more.</summary>
    private List<Postings> Matching(string word)
    {
        if (word.Length < StartLength)
        {
            return _words.TryGetValue(word, out var exact) ? [exact] : [];
        }
        if (!_wordsByStart.TryGetValue(word[..StartLength], out var started))
        {
            return [];
        }
        return [.. started.Where(w => w.StartsWith(word, StringComparison.Ordinal)).Select(w => _words[w])];
    }

    /// <summary>A query's distinct words (at most <see cref="MaxQueryWords"/>), without the small words when it has others.</summary>
    private static List<string> QueryWords(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }
        ForEachWord(text.AsSpan(0, Math.Min(text.Length, MaxQueryLength)), word =>
        {
            var s = word.ToString();
            if (!words.Contains(s))
            {
                words.Add(s);
            }
        });
        if (words.Any(w => !StopWords.Contains(w)))
        {
            words.RemoveAll(StopWords.Contains);
        }
        return words.Take(MaxQueryWords).ToList();
    }

    /// <summary>The query as the start of an id (one token of id characters, 4 or more), or null.</summary>
    private static string? IdStart(string? text)
    {
        var trimmed = text?.Trim();
        return trimmed is { Length: >= IdStartLength } && Ids.IsValid(trimmed) ? trimmed : null;
    }

    private static ulong IdKey(ReadOnlySpan<char> id)
    {
        var key = 0UL;
        for (var i = 0; i < IdStartLength; i++)
        {
            key = (key << 16) | char.ToLowerInvariant(id[i]);
        }
        return key;
    }

    private delegate void WordHandler(ReadOnlySpan<char> word);

    /// <summary>Each word of the text: a run of letters or digits, lower-cased, 2 to 40 characters.</summary>
    private static void ForEachWord(ReadOnlySpan<char> text, WordHandler handle)
    {
        Span<char> word = stackalloc char[MaxWordLength];
        var length = 0;
        var tooLong = false;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsLetterOrDigit(c))
            {
                if (length < MaxWordLength)
                {
                    word[length++] = char.ToLowerInvariant(c);
                }
                else
                {
                    tooLong = true;
                }
                continue;
            }
            if (length >= 2 && !tooLong)
            {
                handle(word[..length]);
            }
            length = 0;
            tooLong = false;
        }
    }

    /// <summary>Called by the index as a mission is made or ends (on the writer's path: it only queues).</summary>
    private void Arrived(int order, MissionEvent e)
    {
        _arrived.Enqueue((order, e));
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var clock = Stopwatch.StartNew();
        var caughtUp = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Interlocked.Exchange(ref _signalled, 0);
                for (var n = 0; !stoppingToken.IsCancellationRequested; n++)
                {
                    if (n % 1_000 == 0)
                    {
                        TakeArrived(); // what came meanwhile: made at the next place (no read), and ends of missions read
                    }
                    if (_indexed >= _reader.Index.Count || !ReadNext())
                    {
                        break;
                    }
                }
                TakeArrived();
                if (!caughtUp && _indexed >= _reader.Index.Count)
                {
                    caughtUp = true;
                    var (words, documents) = Size;
                    LogCaughtUp(_logger, _indexed, words, documents, clock.ElapsedMilliseconds);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogReadFailed(_logger, ex); // tried again on the next round; searches meanwhile see what was read
            }
            try
            {
                await _wake.WaitAsync(Idle, stoppingToken);
                if (caughtUp)
                {
                    await Task.Delay(Gather, stoppingToken); // a round per tenth of a second, not per mission
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The missions made and ended since the last round: one made at the next place is indexed from its event (no
    /// read; the places before it, a schedule's or a mission whose event went by, are read first); an end of a
    /// mission already read adds its answer; anything else is read from the log when its place comes.
    /// </summary>
    private void TakeArrived()
    {
        while (_arrived.TryDequeue(out var arrived))
        {
            var (order, e) = arrived;
            if (e is MissionCreated && order > _indexed)
            {
                while (_indexed < order && ReadNext())
                {
                }
            }
            lock (_lock)
            {
                if (e is MissionCreated created && order == _indexed)
                {
                    AddCreated(order, created);
                    _indexed = order + 1;
                }
                else if (e is MissionStatusUpdated ended && order < _indexed)
                {
                    AddEnd(order, ended);
                }
            }
        }
    }

    /// <summary>Reads the next place in creation order from the log: its creation and, when it has ended, its end.</summary>
    private bool ReadNext()
    {
        var order = _indexed;
        if (_reader.Index.At(order) is not { } at)
        {
            return false;
        }
        MissionCreated? created = null;
        MissionStatusUpdated? ended = null;
        if (at.Created && at.Lines.Length > 0)
        {
            try
            {
                created = _reader.ReadEvent(at.Lines[0]) as MissionCreated;
                if (at.Status.IsTerminal())
                {
                    for (var i = at.Lines.Length - 1; i > 0 && ended is null; i--)
                    {
                        ended = _reader.ReadEvent(at.Lines[i]) is MissionStatusUpdated u && u.Status.IsTerminal() ? u : null;
                    }
                }
            }
            catch (System.Text.Json.JsonException ex)
            {
                // A line its facts could be read from but not the whole of it: that mission is not searchable, the
                // rest are (a read that failed, an IOException, is tried again instead).
                LogUnreadable(_logger, at.MissionId, ex.Message);
                (created, ended) = (null, null);
            }
        }
        lock (_lock)
        {
            if (_indexed != order)
            {
                return true; // taken from its event meanwhile
            }
            if (created is not null)
            {
                AddCreated(order, created);
                AddEnd(order, ended);
            }
            else
            {
                Grow(ref _createdTicks, order + 1);
                _createdTicks[order] = 0;
            }
            _indexed = order + 1;
        }
        return true;
    }

    private void AddCreated(int order, MissionCreated created)
    {
        Grow(ref _createdTicks, order + 1);
        var ticks = created.Timestamp.Ticks;
        _createdTicks[order] = ticks;
        var block = order >> BlockShift;
        if (block >= _blockLow.Length)
        {
            // Replaced, not grown in place: a search holds the arrays it was given.
            var low = new long[Math.Max(block + 1, _blockLow.Length * 2)];
            var high = new long[low.Length];
            Array.Fill(low, long.MaxValue);
            Array.Fill(high, long.MinValue);
            _blockLow.CopyTo(low, 0);
            _blockHigh.CopyTo(high, 0);
            (_blockLow, _blockHigh) = (low, high);
        }
        _blockLow[block] = Math.Min(_blockLow[block], ticks);
        _blockHigh[block] = Math.Max(_blockHigh[block], ticks);
        AddDocument(order, created.Objective.Description);
        if (created.MissionId.Length >= IdStartLength)
        {
            var key = IdKey(created.MissionId);
            if (!_idsByStart.TryGetValue(key, out var orders))
            {
                _idsByStart.Add(key, orders = []);
            }
            orders.Add(order);
        }
    }

    private void AddEnd(int order, MissionStatusUpdated? ended)
    {
        if (ended is null)
        {
            return;
        }
        var result = ended.ExecutionResult;
        var answer = result is null ? "" : result.FinalAnswer.Length > 0 ? result.FinalAnswer : result.Answer ?? "";
        var text = string.IsNullOrEmpty(ended.Error) ? answer : answer + "\n" + ended.Error;
        if (text.Length > 0)
        {
            AddDocument(order, text.Length > MaxTextLength ? text[..MaxTextLength] : text);
        }
    }

    private void AddDocument(int order, string text)
    {
        var document = _documents++;
        Grow(ref _documentOrder, _documents);
        _documentOrder[document] = order;
        ForEachWord(text, word =>
        {
            if (!_wordsSpan.TryGetValue(word, out var postings))
            {
                var name = word.ToString();
                _words.Add(name, postings = new Postings());
                if (name.Length >= StartLength)
                {
                    var start = word[..StartLength];
                    if (!_wordsByStartSpan.TryGetValue(start, out var started))
                    {
                        _wordsByStart.Add(start.ToString(), started = []);
                    }
                    started.Add(name);
                }
            }
            postings.Add(document);
        });
    }

    private static void Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, Math.Max(length, array.Length * 2));
        }
    }

    /// <summary>A word's documents, ascending, each as the varint of its distance from the one before.</summary>
    private sealed class Postings
    {
        private byte[] _data = new byte[4];
        private int _length;
        private int _last = -1;

        public int Count { get; private set; }

        public void Add(int document)
        {
            if (document == _last)
            {
                return; // the word again in the same document
            }
            var delta = (uint)(document - _last);
            _last = document;
            Count++;
            if (_data.Length - _length < 5)
            {
                Array.Resize(ref _data, _data.Length * 2);
            }
            while (delta >= 0x80)
            {
                _data[_length++] = (byte)(delta | 0x80);
                delta >>= 7;
            }
            _data[_length++] = (byte)delta;
        }

        /// <summary>Sets the bit of each document's mission (those within <paramref name="bits"/>).</summary>
        public void Mark(int[] documentOrder, ulong[] bits)
        {
            var document = -1;
            var limit = bits.Length * 64;
            for (var i = 0; i < _length;)
            {
                uint delta = 0;
                var shift = 0;
                byte b;
                do
                {
                    b = _data[i++];
                    delta |= (uint)(b & 0x7F) << shift;
                    shift += 7;
                }
                while ((b & 0x80) != 0);
                document += (int)delta;
                var order = documentOrder[document];
                if (order < limit)
                {
                    bits[order >> 6] |= 1UL << order;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index caught up: {Places} missions and schedules, {Words} words, {Documents} documents in {ElapsedMs} ms")]
    private static partial void LogCaughtUp(ILogger logger, int places, int words, int documents, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} cannot be read whole ({Reason}): it is left out of searches")]
    private static partial void LogUnreadable(ILogger logger, string missionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the mission log for the search index failed; trying again")]
    private static partial void LogReadFailed(ILogger logger, Exception ex);
}
