using System.Security.Cryptography;
using System.Text;

namespace Missions;

/// <summary>
/// Who a conversation, a mission or a schedule belongs to: a person's stable id, recorded on its creation line
/// (<c>owner</c>). Lines written before owners were recorded have none and are the local owner's.
/// </summary>
public static class Owners
{
    /// <summary>The person at the machine when no sign-in is configured.</summary>
    public const string Local = "local";

    /// <summary>The owner a creation line records, read as the local owner's when it records none.</summary>
    public static string Of(string? recorded) => recorded ?? Local;

    /// <summary>
    /// A signed-in person's id: their issuer and subject, hashed into a valid id that stays the same across sign-ins
    /// and does not name the provider.
    /// </summary>
    public static string PersonId(string issuer, string subject) =>
        "p-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issuer + "\n" + subject)).AsSpan(0, 20));
}
