using System.Diagnostics;
using Missions.Execution;

namespace Missions.Samples;

/// <summary>
/// Checks that pages answer: asks for each of a mission's start URLs — within its allowed domains and page budget —
/// and reports the HTTP status and how long the answer took. An example of an executor: it honours the mission's
/// constraints and its cancellation token, reports each page as progress (a line on the whiteboard), and returns a
/// result the chat shows.
/// </summary>
public sealed class UrlStatusExecutor(HttpClient http) : IMissionExecutor
{
    /// <summary>What configuration selects it by: <c>Missions:Execution:Executors:uptime=url-status</c>.</summary>
    public const string ExecutorName = "url-status";

    public string Name => ExecutorName;

    public async Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var checkedPages = 0;
        var failures = 0;
        foreach (var url in work.StartUrls.Take(work.Constraints.MaxPages))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !DomainRules.IsAllowed(uri, work.Constraints.AllowedDomains))
            {
                lines.Add($"{url}: not checked (outside the allowed domains)");
                continue;
            }
            string outcome;
            string? error = null;
            var clock = Stopwatch.StartNew();
            try
            {
                // The token fires when the mission's time runs out or a person cancels it: stop promptly.
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                outcome = response.IsSuccessStatusCode ? ToolCall.Fetched : ToolCall.Failed;
                lines.Add($"{url}: {(int)response.StatusCode} {response.ReasonPhrase} in {clock.ElapsedMilliseconds} ms");
            }
            catch (HttpRequestException ex)
            {
                outcome = ToolCall.Failed;
                error = ex.Message;
                lines.Add($"{url}: no answer ({ex.Message})");
            }
            failures += outcome == ToolCall.Failed ? 1 : 0;
            checkedPages++;
            if (work.Progress is { } progress)
            {
                await progress.PageReadAsync(checkedPages, new ToolCall
                {
                    Key = $"{work.MissionId}:{Name}:{url}", Tool = Name, Url = url, Outcome = outcome, Error = error,
                });
            }
        }
        var summary = checkedPages == 0 ? "No page was checked." : $"{checkedPages - failures} of {checkedPages} pages answered.";
        return new ExecutionOutcome
        {
            Result = new ExecutionResult
            {
                Success = true,
                Answer = summary,
                FinalAnswer = string.Join('\n', [summary, .. lines]),
                PagesFetched = checkedPages,
                ToolsUsed = checkedPages > 0 ? [Name] : [],
            },
        };
    }
}
