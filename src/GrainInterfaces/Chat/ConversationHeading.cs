namespace Missions.Chat;

/// <summary>
/// What a conversation's lines say of it as a whole — its title (the person's, else the start of its first message),
/// whether it is archived, and whether a result came in that its person has not seen — folded in one place for the
/// conversation grain and the chat log's index.
/// </summary>
public sealed class ConversationHeading
{
    /// <summary>How long a title is kept.</summary>
    public const int TitleLength = 80;

    public string Title { get; private set; } = "";

    /// <summary>The person named it: its first message no longer does.</summary>
    public bool Renamed { get; private set; }

    /// <summary>The person archived it and has not restored it or written in it since.</summary>
    public bool Archived { get; private set; }

    /// <summary>How many lines it has: the number (<c>seq</c>) of the last.</summary>
    public int Lines { get; private set; }

    /// <summary>Of its lines, the messages (the person's and the assistant's), not the changes of the conversation itself.</summary>
    public int Said { get; private set; }

    /// <summary>The last message its person has seen: what they marked read, or the last thing they wrote.</summary>
    public int ReadThrough { get; private set; }

    /// <summary>The last result to come in (a mission's or a schedule's outcome, posted while the person may be elsewhere).</summary>
    public int LastResult { get; private set; }

    /// <summary>A result came in after its person last looked.</summary>
    public bool Unread => LastResult > ReadThrough;

    public void Apply(ChatMessage message)
    {
        var seq = ++Lines;
        if (message.Role != ChatMessage.ConversationRole)
        {
            Said++;
        }
        if (message.Role == ChatMessage.AssistantRole && message.ReplyType == ChatResponse.MissionUpdate)
        {
            LastResult = seq;
        }
        if (message.Role == ChatMessage.UserRole)
        {
            ReadThrough = seq; // they were in it: what came before, they have seen
            Archived = false; // written in again, it is back in the list
            if (Title.Length == 0 && !Renamed)
            {
                Title = TitleOf(message.Text);
            }
        }
        else if (message.Role == ChatMessage.ConversationRole)
        {
            switch (message.ReplyType)
            {
                case ChatMessage.Renamed:
                    Title = TitleOf(message.Text);
                    Renamed = true;
                    break;
                case ChatMessage.Archived:
                    Archived = true;
                    break;
                case ChatMessage.Restored:
                    Archived = false;
                    break;
                case ChatMessage.Read:
                    ReadThrough = Math.Max(ReadThrough, Math.Min(message.ReadThrough ?? 0, seq - 1));
                    break;
            }
        }
    }

    /// <summary>A title as lists show it: whitespace collapsed, at most <see cref="TitleLength"/> characters.</summary>
    public static string TitleOf(string text)
    {
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length > TitleLength ? text[..(TitleLength - 1)] + "…" : text;
    }
}
