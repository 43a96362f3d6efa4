namespace Missions.Chat;

/// <summary>What a message asks for.</summary>
public enum IntentKind
{
    /// <summary>Talk: a greeting, a question about the assistant, anything that asks for no work.</summary>
    Conversational,

    /// <summary>Work with nowhere to do it: a request verb but no URL or domain to read.</summary>
    NeedsSite,

    /// <summary>Work: becomes a mission.</summary>
    Actionable,
}

/// <summary>The classifier's reading of a message.</summary>
public sealed record Intent(IntentKind Kind, string ObjectiveType, IReadOnlyList<Uri> Urls, IReadOnlyList<string> Domains);
