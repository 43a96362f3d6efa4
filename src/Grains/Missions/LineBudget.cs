using System.Text.Json;
using Missions.Log;

namespace Missions;

/// <summary>
/// Keeps a mission's result within what one log line may hold (<see cref="MaxResultBytes"/>; a line stays under
/// 64 KB). A result is built from pages anyone wrote, or by a model: it is cut here, once, before it is written,
/// so the log, the stream and the chat all get the same bounded line.
/// </summary>
public static class LineBudget
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
                .Select(s => new PageSource { Url = Clip(s.Url, 2_048), Title = Clip(s.Title, 300) }).ToList(),
            Notes = result.Notes.Take(MaxNotes).Select(n => Clip(n, MaxNoteChars)).ToList(),
            ToolsUsed = result.ToolsUsed.Take(20).Select(t => Clip(t, 100)).ToList(),
        };
        // Escaping can make a character six bytes: shrink the answer (then the sources) by what is measured.
        for (var size = SizeOf(bounded); size > MaxResultBytes; size = SizeOf(bounded))
        {
            var answer = bounded.FinalAnswer;
            bounded = answer.Length > 200
                ? bounded with { FinalAnswer = Clip(answer, (int)(answer.Length * (MaxResultBytes * 0.9 / size))) }
                : bounded with { Sources = bounded.Sources.Take(bounded.Sources.Count / 2).ToList(), Notes = bounded.Notes.Take(bounded.Notes.Count / 2).ToList() };
        }
        return bounded;
    }

    private static int SizeOf(ExecutionResult result) => JsonSerializer.SerializeToUtf8Bytes(result, MissionsJson.Context.ExecutionResult).Length;

    private static string Clip(string text, int max) => Research.PageLimits.Clip(text, max);
}
