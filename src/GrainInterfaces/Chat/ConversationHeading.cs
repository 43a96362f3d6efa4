namespace Missions.Chat;

/// <summary>
/// What a conversation's lines say of it as a whole — its title (the person's, else the start of its first message)
/// and whether it is archived — folded in one place for the conversation grain and the chat log's index.
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

    public void Apply(ChatMessage message)
    {
        if (message.Role == ChatMessage.UserRole)
        {
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
