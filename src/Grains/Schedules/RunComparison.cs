using System.Text;

namespace Missions.Schedules;

/// <summary>
/// "What changed" between two runs of a schedule: the answer, compared sentence by sentence (spacing and case aside),
/// and the set of source URLs. A run is compared with the last <em>completed</em> run, so a failure in between does not
/// make the next success look new. The first completed run is the baseline, and is posted.
/// </summary>
public static class RunComparison
{
    /// <summary>What a comparison line keeps (in characters; even escaped six to one, the line stays under 64 KB).</summary>
    public const int MaxAnswer = 4_000, MaxSourceChars = 4_000, MaxSummary = 1_500;

    private const int SentencesShown = 3;

    public static ScheduleRunCompared Compare(string scheduleId, string missionId, MissionState run, ScheduleRunCompared? baseline)
    {
        var answer = Shorten(run.ExecutionResult?.FinalAnswer ?? "", MaxAnswer);
        var sources = Bounded((run.ExecutionResult?.Sources ?? []).Select(s => s.Url).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var compared = new ScheduleRunCompared
        {
            MissionId = scheduleId, Timestamp = DateTime.UtcNow, RunMissionId = missionId, Status = run.Status, Changed = false, Answer = answer, Sources = sources,
        };
        if (run.Status != MissionStatus.Completed)
        {
            return compared with { Summary = Shorten($"The run {run.Status.ToWireName().Replace('_', ' ')}: {run.Error}", MaxSummary) };
        }
        if (baseline is null)
        {
            return compared with { Changed = true, Summary = "First run: this is the result the next runs are compared with." };
        }
        var was = SentencesSet(baseline.Answer);
        var now = Sentences(answer);
        var nowSet = SentencesSet(answer);
        var added = now.Where(s => !was.Contains(Normal(s))).ToList();
        var removed = was.Count(s => !nowSet.Contains(s));
        var newSources = sources.Except(baseline.Sources, StringComparer.Ordinal).ToList();
        var goneSources = baseline.Sources.Except(sources, StringComparer.Ordinal).ToList();
        if (added.Count == 0 && removed == 0 && newSources.Count == 0 && goneSources.Count == 0)
        {
            return compared;
        }
        var summary = new StringBuilder();
        if (added.Count > 0 || removed > 0)
        {
            summary.Append($"The answer changed ({added.Count} new {(added.Count == 1 ? "sentence" : "sentences")}, {removed} gone)");
            if (added.Count > 0)
            {
                summary.Append(": ").Append(string.Join(" ", added.Take(SentencesShown).Select(s => $"“{Shorten(s, 300)}”")));
                if (added.Count > SentencesShown)
                {
                    summary.Append(" …");
                }
            }
            summary.Append(". ");
        }
        if (newSources.Count > 0)
        {
            summary.Append($"New sources: {string.Join(", ", newSources.Take(5).Select(u => Shorten(u, 200)))}{(newSources.Count > 5 ? " …" : "")}. ");
        }
        if (goneSources.Count > 0)
        {
            summary.Append($"No longer found: {string.Join(", ", goneSources.Take(5).Select(u => Shorten(u, 200)))}{(goneSources.Count > 5 ? " …" : "")}. ");
        }
        return compared with { Changed = true, Summary = Shorten(summary.ToString().Trim(), MaxSummary) };
    }

    /// <summary>The chat's message for a run worth telling: what changed (or the failure), then the answer's start.</summary>
    public static string Notice(string scheduleId, string schedule, ScheduleRunCompared compared, MissionState run)
    {
        var head = $"Schedule {scheduleId} ({schedule}), run mission {compared.RunMissionId}";
        var answer = compared.Answer.Length > 0 ? "\n\n" + Shorten(compared.Answer, 1_000) : "";
        return compared.Status == MissionStatus.Completed
            ? $"{head}: {compared.Summary}{answer}"
            : $"{head} {run.Status.ToWireName().Replace('_', ' ')}: {run.Error}";
    }

    /// <summary>The sources kept for the next comparison: as many as fit <see cref="MaxSourceChars"/>.</summary>
    private static List<string> Bounded(IEnumerable<string> urls)
    {
        var kept = new List<string>();
        var chars = 0;
        foreach (var url in urls)
        {
            if ((chars += url.Length) > MaxSourceChars)
            {
                break;
            }
            kept.Add(url);
        }
        return kept;
    }

    private static HashSet<string> SentencesSet(string text) => [.. Sentences(text).Select(Normal)];

    private static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var end = text[i] is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]));
            if (end || text[i] == '\n')
            {
                Add(text.AsSpan(start, i + 1 - start));
                start = i + 1;
            }
        }
        Add(text.AsSpan(start));
        return sentences;

        void Add(ReadOnlySpan<char> sentence)
        {
            var trimmed = sentence.Trim().ToString();
            if (trimmed.Length > 0)
            {
                sentences.Add(trimmed);
            }
        }
    }

    private static string Normal(string sentence) =>
        string.Join(' ', sentence.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string text, int length) => text.Length > length ? text[..length] + "…" : text;
}
