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
    /// A new conversation's id, made by the server for one person: 96 random bits and a MAC of them and the person
    /// under the server's key, so only the server makes them and an id proves whose it is without a look-up
    /// (<see cref="IsSessionOf"/>).
    /// </summary>
    public static string NewSessionId(ReadOnlySpan<byte> key, string personId)
    {
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return SessionPrefix + random + SessionMac(key, random, personId);
    }

    /// <summary>True when <paramref name="sessionId"/> was made by <see cref="NewSessionId"/> for <paramref name="personId"/>.</summary>
    public static bool IsSessionOf(ReadOnlySpan<byte> key, string sessionId, string personId)
    {
        if (sessionId.Length != SessionPrefix.Length + 24 + 32 || !sessionId.StartsWith(SessionPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var random = sessionId.Substring(SessionPrefix.Length, 24);
        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(SessionMac(key, random, personId)), Encoding.ASCII.GetBytes(sessionId[(SessionPrefix.Length + 24)..]));
    }

    private const string SessionPrefix = "s-";

    private static string SessionMac(ReadOnlySpan<byte> key, string random, string personId) => Keyed(key, "session", random, personId, 16);

    /// <summary>
    /// The mission id for a chat message that carries a client message id: the same message, sent again (even after a
    /// crash), names the same mission, so it can never create a second one. Keyed with the server's key: nobody can
    /// work out another conversation's mission ids, and no id the server makes for itself (a schedule's runs) is one.
    /// </summary>
    public static string MissionIdFor(ReadOnlySpan<byte> key, string sessionId, string clientMessageId) =>
        "c" + Keyed(key, "mission", sessionId, clientMessageId, 15);

    /// <summary>An HMAC-SHA256 of a purpose and two parts under <paramref name="key"/>, as <paramref name="bytes"/> bytes of hex.</summary>
    public static string Keyed(ReadOnlySpan<byte> key, string purpose, string first, string second, int bytes)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose + "\n" + first + "\n" + second));
        return Convert.ToHexStringLower(mac.AsSpan(0, bytes));
    }
}
