using System.Security.Cryptography;
using System.Text;

namespace Missions;

/// <summary>
/// Session and mission ids: 1–64 characters from <c>A–Z a–z 0–9 _ -</c>. Ids are keys, never file paths.
/// </summary>
public static class Ids
{
    public const int MaxLength = 64;
    public const string Rule = "1 to 64 characters: letters, digits, '_' or '-'";

    public static bool IsValid(string? id) => id is not null && IsValid(id.AsSpan());

    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A new mission id: random, so its first characters tell missions apart ("cancel 3f9a01c2"); the log, not
    /// the id, keeps the order of creation.
    /// </summary>
    public static string NewMissionId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// A new session id: 128 random bits. A session id is a capability — whoever holds it reads the conversation —
    /// so it is never guessable and never shown to anyone else.
    /// </summary>
    public static string NewSessionId() => "s-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The mission id for a chat message that carries a client message id: the same message, sent again
    /// (even after a crash), names the same mission, so it can never create a second one.
    /// </summary>
    public static string MissionIdFor(string sessionId, string clientMessageId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sessionId + "\n" + clientMessageId));
        return "c" + Convert.ToHexStringLower(hash.AsSpan(0, 15));
    }
}
