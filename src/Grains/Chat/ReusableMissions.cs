namespace Missions.Chat;

/// <summary>
/// The missions a repeated request may reuse: the latest mission a conversation started for each meaning (see
/// <see cref="MeaningOf"/>), for as long as a repeat may still join it — while it is queued or running, and for the
/// freshness window after it ended. Older entries are forgotten, so a conversation's memory does not grow with the
/// missions it has finished.
/// </summary>
public sealed class ReusableMissions
{
    /// <summary>What makes two requests the same: objective type and words (case and spacing aside) and constraints.</summary>
    public static string MeaningOf(MissionDraft draft)
    {
        var words = string.Join(' ', draft.Objective.Description.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.', '!', '?', ' ');
        var c = draft.Constraints;
        return $"{draft.Objective.Type}|{words}|{string.Join(',', c.AllowedDomains.Order(StringComparer.Ordinal))}|{c.MaxPages}|{c.MaxDurationSeconds}";
    }

    private readonly Dictionary<string, string> _missionByMeaning = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Meaning, DateTime? EndedAt)> _byMission = new(StringComparer.Ordinal);
    private readonly Queue<(string MissionId, DateTime EndedAt)> _endings = new();

    public bool TryGet(string meaning, out string missionId) => _missionByMeaning.TryGetValue(meaning, out missionId!);

    /// <summary>The mission now answers for this meaning (a new mission, or one a repeat joined).</summary>
    public void Started(string meaning, string missionId)
    {
        _missionByMeaning[meaning] = missionId;
        _byMission[missionId] = (meaning, null);
    }

    /// <summary>An attempt of the mission ended at <paramref name="at"/>.</summary>
    public void Ended(string missionId, DateTime at)
    {
        if (_byMission.TryGetValue(missionId, out var entry))
        {
            _byMission[missionId] = entry with { EndedAt = at };
            _endings.Enqueue((missionId, at));
        }
    }

    /// <summary>Forgets missions whose last end came before <paramref name="cutoff"/>.</summary>
    public void ForgetEndedBefore(DateTime cutoff)
    {
        while (_endings.TryPeek(out var ending) && ending.EndedAt < cutoff)
        {
            _endings.Dequeue();
            if (_byMission.TryGetValue(ending.MissionId, out var entry) && entry.EndedAt == ending.EndedAt)
            {
                _byMission.Remove(ending.MissionId);
                if (_missionByMeaning.TryGetValue(entry.Meaning, out var current) && current == ending.MissionId)
                {
                    _missionByMeaning.Remove(entry.Meaning);
                }
            }
        }
    }
}
