using Missions.Execution;

namespace Missions.Research;

/// <summary>One mission's reading: what is left to read (its frontier), what was read, what went wrong.</summary>
internal sealed class ResearchRun(MissionWork work, IReadOnlyList<string> question)
{
    public MissionWork Work { get; } = work;
    public CrawlFrontier Frontier { get; } = new(question);
    public ReadingFeedback Feedback { get; } = new(question);

    /// <summary>The names of code or options the question gives (see <see cref="Terms.NamesIn"/>).</summary>
    public IReadOnlyList<string> Names { get; } = Terms.NamesIn(work.Objective.Description);

    /// <summary>The question as a sentence model reads it.</summary>
    public string Subject { get; } = Terms.Subject(work.Objective.Description);
    public IReadOnlyList<string> Question => Frontier.Question;
    public List<PageContent> Pages { get; } = [];
    public List<string> Errors { get; } = [];
    public List<string> Notes { get; } = [];
    public SortedSet<string> Tools { get; } = new(StringComparer.Ordinal);
    public int PagesRead;
    public int PagesReused;
    public int TransientErrors;
    public int PermanentErrors;
    public int RobotsRefusals;
    public bool OutOfTime;
    public bool ChooserFailed;
}
