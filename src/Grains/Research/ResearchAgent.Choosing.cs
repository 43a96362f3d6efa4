namespace Missions.Research;

/// <summary>The helpers that choose what to read next besides the words: a language model's pick, a sentence model's view.</summary>
public sealed partial class ResearchAgent
{
    /// <summary>Links a sentence model judges per page at most: the page's first content links not judged before.</summary>
    private const int LinksJudgedPerPage = 24;

    /// <summary>
    /// With a language model, it picks the next page among the frontier's best (once the mission's own pages are read);
    /// after a failure the mission goes by the words alone and says so.
    /// </summary>
    private async Task ChooseNextAsync(ResearchRun run, CancellationToken cancellationToken)
    {
        if (_chooser is null || run.ChooserFailed || run.Pages.Count == 0)
        {
            return;
        }
        var choice = await _chooser.ChooseAsync(run.Work.Objective.Description, [.. run.Pages.Select(p => p.Title)], run.Frontier, cancellationToken);
        if (choice.Chose)
        {
            run.Tools.Add(LlmLinkChooser.ToolName);
        }
        else if (choice.Failure is { } failure)
        {
            run.ChooserFailed = true;
            run.Notes.Add($"The language model could not choose the links to read ({failure}); they were chosen by their words.");
        }
    }

    /// <summary>
    /// A sentence model's view of the page's new content links (their words): how near each
    /// is to the question, one signal the frontier weighs with the others. No model, no view.
    /// </summary>
    private async Task JudgeLinksAsync(ResearchRun run, IReadOnlyList<PageLink> links, CancellationToken cancellationToken)
    {
        if (!_semantic.Enabled)
        {
            return;
        }
        var judged = run.Frontier.Unjudged(links).DistinctBy(l => l.Url).Take(LinksJudgedPerPage).ToList();
        var similarities = await _semantic.SimilaritiesAsync(run.Subject, [.. judged.Select(l => l.Text)], cancellationToken);
        for (var i = 0; similarities is not null && i < judged.Count; i++)
        {
            run.Frontier.SetSimilarity(judged[i].Url, similarities[i]);
        }
    }
}
