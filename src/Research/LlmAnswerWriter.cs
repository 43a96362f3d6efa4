using System.Text;

namespace Missions.Research;

/// <summary>
/// With a language model configured, writes the answer from the ranked passages, citing them as [1], [2] …;
/// the list of sources is appended by the agent, not trusted to the model. A failure or an empty reply is
/// returned as such, and the agent falls back to the extractive answer.
/// </summary>
public sealed partial class LlmAnswerWriter(LlmClient llm, ILogger<LlmAnswerWriter> logger)
{
    public const string ToolName = "llm_answer";

    private const string System =
        "You answer a person's research question using only the numbered passages you are given, which were read " +
        "from web pages. Cite the passages you use as [n] right after the sentence that uses them. If the passages " +
        "do not answer the question, say so plainly. Be concise: at most a few short paragraphs. Do not invent URLs.";

    public bool IsConfigured => llm.IsConfigured;

    public sealed record Written(string? Answer, string? Failure);

    public async Task<Written> WriteAsync(string question, IReadOnlyList<RankedPassage> passages, IReadOnlyList<PageContent> pages,
        string preface, CancellationToken cancellationToken)
    {
        var prompt = new StringBuilder();
        prompt.Append("Question: ").Append(question).Append("\n\nPassages:\n");
        for (var i = 0; i < passages.Count; i++)
        {
            var p = passages[i];
            prompt.Append('[').Append(i + 1).Append("] (").Append(p.Page.Title).Append(", ").Append(p.Page.Url).Append(")\n");
            prompt.Append(p.Passage.Heading.Length > 0 ? p.Passage.Heading + ": " : "").Append(ExtractiveAnswer.Clip(p.Passage.Text)).Append("\n\n");
        }
        try
        {
            var text = (await llm.CompleteAsync(System, prompt.ToString(), cancellationToken)).Trim();
            if (text.Length == 0)
            {
                return new Written(null, "it returned an empty answer");
            }
            var answer = new StringBuilder();
            answer.Append(preface).Append("\n\n");
            answer.Append(text).Append("\n\nPassages cited:\n");
            for (var i = 0; i < passages.Count; i++)
            {
                answer.Append('[').Append(i + 1).Append("] ").Append(passages[i].Page.Title).Append(" — ").Append(passages[i].Page.Url).Append('\n');
            }
            ExtractiveAnswer.AppendSources(answer, pages);
            return new Written(answer.ToString().TrimEnd(), null);
        }
        catch (Exception ex)
        {
            var reason = llm.Failure(ex, "answer", cancellationToken);
            LogFailed(logger, ex, reason);
            return new Written(null, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The language model could not write an answer ({Reason}); using the extractive one")]
    private static partial void LogFailed(ILogger logger, Exception ex, string reason);
}
