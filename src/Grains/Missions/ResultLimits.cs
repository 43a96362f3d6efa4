using System.Text.Json;
using Missions.Execution;

namespace Missions;

/// <summary>
/// Keeps a mission's result within what one log line may hold (<see cref="MaxResultBytes"/>; a line stays under
/// 64 KB). A result is built from pages anyone wrote, or by a model: it is cut here, once, before it is written,
/// so the log, the stream and the chat all get the same bounded line.
/// </summary>
public static class ResultLimits
{
    public const int MaxResultBytes = 48 * 1024;
    private const int MaxSources = 50;
    private const int MaxNotes = 20;
    private const int MaxNoteChars = 500;

    public static ExecutionResult Fit(ExecutionResult result)
    {
        var bounded = result with
        {
            Sources = result.Sources.Take(MaxSources)
                .Select(s => new PageSource { Url = PlainText.Clip(s.Url, 2_048), Title = PlainText.Clip(s.Title, 300) }).ToList(),
            Notes = result.Notes.Take(MaxNotes).Select(n => PlainText.Clip(n, MaxNoteChars)).ToList(),
            ToolsUsed = result.ToolsUsed.Take(20).Select(t => PlainText.Clip(t, 100)).ToList(),
            Answer = result.Answer is null ? null : PlainText.Clip(result.Answer, 1_500),
            Citations = result.Citations.Take(5).Select(c => c with
            {
                Url = PlainText.Clip(c.Url, 2_048), Title = PlainText.Clip(c.Title, 300), Quote = PlainText.Clip(c.Quote, 600),
            }).ToList(),
        };
        if (UpperBound(bounded) <= MaxResultBytes)
        {
            return bounded; // the usual case, decided without serializing
        }
        // Escaping can make a character six bytes: shrink the answer (then the sources) by what is measured.
        for (var size = SizeOf(bounded); size > MaxResultBytes; size = SizeOf(bounded))
        {
            var answer = bounded.FinalAnswer;
            bounded = answer.Length > 200
                ? bounded with { FinalAnswer = PlainText.Clip(answer, (int)(answer.Length * (MaxResultBytes * 0.9 / size))) }
                : bounded with { Sources = bounded.Sources.Take(bounded.Sources.Count / 2).ToList(), Notes = bounded.Notes.Take(bounded.Notes.Count / 2).ToList() };
        }
        return bounded;
    }

    /// <summary>At most this many bytes once serialized: six a character (the longest escape), plus room for the names and punctuation.</summary>
    private static long UpperBound(ExecutionResult r) =>
        6L * (r.FinalAnswer.Length + r.Sources.Sum(s => s.Url.Length + s.Title.Length) + r.Notes.Sum(n => n.Length) + r.ToolsUsed.Sum(t => t.Length)
            + (r.Answer?.Length ?? 0) + r.Citations.Sum(c => c.Url.Length + c.Title.Length + c.Quote.Length))
        + 64L * (r.Sources.Count + r.Notes.Count + r.ToolsUsed.Count + r.Citations.Count) + 512;

    private static int SizeOf(ExecutionResult result) => JsonSerializer.SerializeToUtf8Bytes(result, MissionsJson.Context.ExecutionResult).Length;
}
