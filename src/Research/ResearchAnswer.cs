using Missions.Execution;

namespace Missions.Research;

/// <summary>Answer composition: what a mission's reading becomes — the answer, with its sources, or why there is none.</summary>
internal sealed class ResearchAnswer(LlmAnswerWriter writer, SemanticMatcher semantic)
{
    /// <summary>The passages BM25 puts first that a sentence model ranks again.</summary>
    private const int FusedCandidates = 10;

    /// <summary>The mission's outcome from what it read: the answer (a model's, or quoted from the best passages), its sources and notes.</summary>
    public async Task<ExecutionOutcome> ComposeAsync(ResearchRun run, CancellationToken cancellationToken)
    {
        var work = run.Work;
        var budgetSpent = !run.OutOfTime && run.PagesRead >= work.Constraints.MaxPages && run.Frontier.Unread > 0;
        if (run.RobotsRefusals > 3)
        {
            run.Notes.Add($"robots.txt forbade {run.RobotsRefusals} pages in all.");
        }
        if (run.Pages.Count == 0)
        {
            return new ExecutionOutcome
            {
                Result = new ExecutionResult { Success = false, ToolsUsed = [.. run.Tools], PagesFetched = run.PagesRead, PagesReused = run.PagesReused, Notes = run.Notes },
                // Worth another attempt only when every failure may pass.
                Transient = run.TransientErrors > 0 && run.PermanentErrors == 0 && !cancellationToken.IsCancellationRequested,
                Error = run.Errors.Count > 0 ? "No page could be read: " + string.Join("; ", run.Errors.Take(5))
                    : cancellationToken.IsCancellationRequested ? "Stopped before any page was read."
                    : run.PagesRead > 0 ? "The pages read had no text to answer from."
                    : "There was nothing to read: the mission names no URL or domain, or robots.txt forbids them.",
            };
        }

        var ranked = await RankAsync(run, cancellationToken);
        var lead = AnswerLead.Of(ranked, run.Pages, run.Question);
        var matched = run.Question.Count > 0 ? "the passages that best match the question" : "what the pages say";
        string answer;
        var written = writer.IsConfigured && !cancellationToken.IsCancellationRequested
            ? await writer.WriteAsync(work.Objective.Description, ranked, run.Pages,
                Preface(run, budgetSpent, "an answer written by the language model from the best passages"), cancellationToken)
            : null;
        if (written is { Answer: { } text })
        {
            answer = text;
            run.Tools.Add(LlmAnswerWriter.ToolName);
        }
        else
        {
            if (written?.Failure is { } failure)
            {
                run.Notes.Add($"The language model could not write the answer ({failure}); this answer is quoted from the pages.");
            }
            answer = ExtractiveAnswer.Compose(ranked, run.Pages, Preface(run, budgetSpent, matched));
            if (lead is not null)
            {
                // The answer first, each sentence cited [N] (N: its page in "Sources read"); then how it was found.
                answer = lead.Text + "\n\n" + answer;
            }
        }
        if (run.Errors.Count > 0)
        {
            run.Notes.Add($"{run.Errors.Count} page(s) could not be read: " + string.Join("; ", run.Errors.Take(3)));
        }
        return new ExecutionOutcome
        {
            Result = new ExecutionResult
            {
                Success = true,
                FinalAnswer = answer,
                ToolsUsed = [.. run.Tools],
                Sources = run.Pages.Select(p => new PageSource { Url = p.Url, Title = p.Title }).ToList(),
                PagesFetched = run.PagesRead,
                PagesReused = run.PagesReused,
                Notes = run.Notes,
                Answer = lead?.Text,
                Citations = lead?.Citations ?? [],
            },
            BudgetExhausted = budgetSpent,
        };
    }

    /// <summary>
    /// The best passages: BM25's first ten, ranked again by a sentence model when there is one and fused with BM25's
    /// order (reciprocal-rank fusion), so a passage that answers in other words than the question's ("if the timeout
    /// expires" for "takes longer than its timeout") rises — and one the words match well stays near the top.
    /// </summary>
    private async Task<IReadOnlyList<RankedPassage>> RankAsync(ResearchRun run, CancellationToken cancellationToken)
    {
        var lexical = ExtractiveAnswer.Rank(run.Pages, run.Question, FusedCandidates, run.Names);
        if (!semantic.Enabled || cancellationToken.IsCancellationRequested || lexical.Count < 2 || lexical[0].Score <= 0)
        {
            return [.. lexical.Take(ExtractiveAnswer.MaxPassages)];
        }
        var similarities = await semantic.SimilaritiesAsync(run.Subject,
            [.. lexical.Select(p => p.Passage.Heading.Length > 0 ? p.Passage.Heading + ": " + p.Passage.Text : p.Passage.Text)], cancellationToken);
        return similarities is null ? [.. lexical.Take(ExtractiveAnswer.MaxPassages)] : ExtractiveAnswer.Fuse(lexical, similarities);
    }

    private static string Preface(ResearchRun run, bool budgetSpent, string matched)
    {
        var read = $"{run.Pages.Count} {(run.Pages.Count == 1 ? "page" : "pages")}";
        return run.OutOfTime && run.Work.WasCancelledByRequest
            ? $"Partial answer: the mission was cancelled after reading {read}. From {matched}:"
            : run.OutOfTime
            ? $"Partial answer: the time budget ran out after reading {read}. From {matched}:"
            : budgetSpent
                ? $"Partial answer: the page budget ({run.Work.Constraints.MaxPages}) was spent with {run.Frontier.Unread} more links unread. From {read}, {matched}:"
                : $"From {read}, {matched}:";
    }
}
