using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;

namespace Missions.Schedules;

/// <summary>
/// When a schedule fires: a fixed period anchored at its creation ("every 15 minutes", "hourly", "every 2 days") or a
/// cron expression in UTC ("every day at 09:00 UTC", "every monday at 8am", "cron */15 * * * *"; parsed by Cronos).
/// </summary>
public sealed partial record Cadence(string Text, long? EverySeconds, string? Cron)
{
    /// <summary>Occurrences checked for the shortest gap of a cron expression.</summary>
    private const int GapsChecked = 50;

    /// <summary>The longest wait a schedule may have between two runs (and before its first): a year, leap day included.</summary>
    public static readonly TimeSpan LongestGap = TimeSpan.FromDays(366);

    /// <summary>
    /// Why this cadence cannot be kept, or null: its next two occurrences from <paramref name="now"/> must exist and
    /// come within <see cref="LongestGap"/> of each other (a cron expression for 30 February never fires; "every
    /// 999999 weeks" is past any calendar). Checked before anything is written.
    /// </summary>
    public string? Unusable(DateTime now)
    {
        DateTime? first, second;
        try
        {
            first = NextAfter(now, now);
            second = first is { } f ? NextAfter(f, now) : null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return $"'{Text}' is too far apart: a schedule runs at least once a year. Say e.g. \"every 4 weeks\".";
        }
        if (first is null || second is null)
        {
            return $"'{Text}' never comes round: say e.g. \"every week\" or \"every day at 09:00 UTC\".";
        }
        return first.Value - now > LongestGap || second.Value - first.Value > LongestGap
            ? $"'{Text}' is too far apart: a schedule runs at least once a year. Say e.g. \"every 4 weeks\"."
            : null;
    }

    private CronExpression? Expression => Cron is null ? null : CronExpression.Parse(Cron, CronFormat.Standard);

    /// <summary>The first occurrence strictly after <paramref name="after"/>; for a period, counted from <paramref name="anchor"/>.</summary>
    public DateTime? NextAfter(DateTime after, DateTime anchor)
    {
        after = DateTime.SpecifyKind(after, DateTimeKind.Utc);
        if (EverySeconds is { } seconds)
        {
            var period = TimeSpan.FromSeconds(seconds);
            if (after < anchor)
            {
                return anchor + period;
            }
            var periods = (after - anchor).Ticks / period.Ticks + 1;
            return anchor + TimeSpan.FromTicks(period.Ticks * periods);
        }
        return Expression?.GetNextOccurrence(after, TimeZoneInfo.Utc);
    }

    /// <summary>The last occurrence at or before <paramref name="now"/>, starting from <paramref name="first"/> (an occurrence ≤ now).</summary>
    public DateTime LatestUpTo(DateTime first, DateTime now, DateTime anchor)
    {
        var latest = first;
        // Bounded: a schedule that missed more occurrences than this while down fires once for the last one reached.
        for (var i = 0; i < 100_000 && NextAfter(latest, anchor) is { } next && next <= now; i++)
        {
            latest = next;
        }
        return latest;
    }

    /// <summary>The shortest time between two firings (for a cron expression, over its next occurrences).</summary>
    public TimeSpan ShortestGap(DateTime from)
    {
        if (EverySeconds is { } seconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        var shortest = TimeSpan.MaxValue;
        var at = Expression!.GetNextOccurrence(DateTime.SpecifyKind(from, DateTimeKind.Utc), TimeZoneInfo.Utc);
        for (var i = 0; i < GapsChecked && at is { } current; i++)
        {
            var next = Expression.GetNextOccurrence(current, TimeZoneInfo.Utc);
            if (next is { } n && n - current < shortest)
            {
                shortest = n - current;
            }
            at = next;
        }
        return shortest;
    }

    public static Cadence FromDefinition(ScheduleCreated definition) => new(definition.Cadence, definition.EverySeconds, definition.Cron);

    /// <summary>
    /// Finds how often a message asks for its work. Returns false when it names no cadence; otherwise
    /// <paramref name="cadence"/> is set, or <paramref name="error"/> says what is wrong with it, and
    /// <paramref name="rest"/> is the message without the cadence phrase (the work itself).
    /// </summary>
    public static bool TryFind(string message, out Cadence? cadence, out string? error, out string rest)
    {
        cadence = null;
        error = null;
        rest = message;
        if (message.Length > 4_000)
        {
            return false;
        }
        Match match;
        if ((match = CronPhrase().Match(message)).Success)
        {
            var cron = string.Join(' ', match.Groups["cron"].Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            try
            {
                CronExpression.Parse(cron, CronFormat.Standard);
                cadence = new Cadence($"cron {cron} (UTC)", null, cron);
            }
            catch (CronFormatException ex)
            {
                error = $"'{cron}' is not a cron expression I can read ({ex.Message.TrimEnd('.')}). Use five fields, minute hour day month weekday, in UTC: e.g. \"cron 0 9 * * 1-5\".";
            }
        }
        else if ((match = DailyAt().Match(message)).Success || (match = WeekdayAt().Match(message)).Success)
        {
            if (!TryTimeOfDay(match, out var hour, out var minute))
            {
                error = $"'{match.Value.Trim()}' is not a time of day I can read: say e.g. \"every day at 09:00 UTC\".";
            }
            else
            {
                var day = match.Groups["dow"].Success ? match.Groups["dow"].Value.ToLowerInvariant() : null;
                var dow = day is null ? "*" : (Array.IndexOf(WeekDays, day) % 7).ToString(CultureInfo.InvariantCulture);
                var when = $"{hour:00}:{minute:00} UTC";
                cadence = new Cadence(day is null ? $"every day at {when}" : $"every {day} at {when}", null, $"{minute} {hour} * * {dow}");
            }
        }
        else if ((match = Every().Match(message)).Success)
        {
            long n = 1;
            if (match.Groups["n"].Success && (!long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n <= 0))
            {
                error = $"'{match.Value.Trim()}' is not a period I can use.";
            }
            else
            {
                var unit = (match.Groups["unit"].Success ? match.Groups["unit"].Value : match.Groups["adverb"].Value).ToLowerInvariant();
                var (seconds, name) = unit switch
                {
                    "half hour" => (1_800L, "half hour"),
                    _ when unit.StartsWith("sec", StringComparison.Ordinal) => (1L, "second"),
                    _ when unit.StartsWith("min", StringComparison.Ordinal) => (60L, "minute"),
                    _ when unit.StartsWith('h') => (3_600L, "hour"),
                    _ when unit.StartsWith('d') => (86_400L, "day"),
                    _ => (604_800L, "week"),
                };
                cadence = n == 1 ? new Cadence($"every {name}", seconds, null) : new Cadence($"every {n} {name}s", checked(seconds * n), null);
            }
        }
        else
        {
            return false;
        }
        if (cadence?.Unusable(DateTime.UtcNow) is { } unusable)
        {
            cadence = null;
            error = unusable;
        }
        var without = message.Remove(match.Index, match.Length);
        rest = string.Join(' ', without.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Trim(' ', ',', ';', ':', '-');
        return true;
    }

    /// <summary>Sunday is both 0 and 7 in cron; the list puts it first so that its index is its number.</summary>
    private static readonly string[] WeekDays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private static bool TryTimeOfDay(Match match, out int hour, out int minute)
    {
        minute = 0;
        if (!int.TryParse(match.Groups["h"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out hour)
            || (match.Groups["m"].Success && !int.TryParse(match.Groups["m"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out minute)))
        {
            return false;
        }
        if (match.Groups["ampm"].Success)
        {
            if (hour is < 1 or > 12)
            {
                return false;
            }
            hour = hour % 12 + (match.Groups["ampm"].Value.Equals("pm", StringComparison.OrdinalIgnoreCase) ? 12 : 0);
        }
        return hour is >= 0 and < 24 && minute is >= 0 and < 60;
    }

    [GeneratedRegex(@"\bcron:?\s+[""'`]?(?<cron>[0-9*/,?A-Za-z-]+(\s+[0-9*/,?A-Za-z-]+){4})[""'`]?", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex CronPhrase();

    [GeneratedRegex(@"\b(every\s+day|each\s+day|daily)\s+at\s+(?<h>\d{1,2})(:(?<m>\d{2}))?\s*(?<ampm>am|pm)?(\s*utc)?\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex DailyAt();

    [GeneratedRegex(@"\b(every|each|on)\s+(?<dow>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\s+at\s+(?<h>\d{1,2})(:(?<m>\d{2}))?\s*(?<ampm>am|pm)?(\s*utc)?\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex WeekdayAt();

    [GeneratedRegex(@"\b(every\s+(?<n>\d{1,6})?\s*(?<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|half hour|days?|weeks?)|(?<adverb>hourly|daily|weekly))\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Every();
}
