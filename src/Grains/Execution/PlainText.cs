namespace Missions.Execution;

/// <summary>Text from outside (a page, a model, an error) made safe to keep: cut to a length, whitespace collapsed.</summary>
public static class PlainText
{
    /// <summary>The text cut to <paramref name="max"/> characters, with an ellipsis when it was longer (never a split surrogate pair).</summary>
    public static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>Whitespace runs as one space, trimmed, without a regular expression (linear in the text).</summary>
    public static string Collapse(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
