using Missions.Log;
using Missions.Web.Http;
using Missions.Web.People;

namespace Missions.Web.Chat;

/// <summary>
/// The bounds on work waiting, checked before anything is written wherever work is added (a chat message that asks
/// for it, an approval, a retry): everything waiting in the service — queued, or proposed and not yet decided — is
/// bounded by <c>Missions:Execution:MaxQueued</c> (503), and each person's by <c>Missions:Limits:WaitingPerPerson</c> (429).
/// </summary>
public static class Intake
{
    public static IResult? Refusal(HttpContext context, Person person, MissionLogReader missions, IntakeOptions intake, PersonLimits limits)
    {
        var wait = Math.Max(1, intake.RetryAfterSeconds);
        if (intake.MaxQueued > 0 && missions.Index.Waiting() is var waiting && waiting >= intake.MaxQueued)
        {
            return Problems.Full(context, "Too much work queued",
                $"{waiting} missions are waiting to run or to be approved, the most this service keeps waiting ({intake.MaxQueued}). " +
                $"Ask again in {wait} s; talk and steering (\"status\", \"cancel …\") still work.", wait);
        }
        if (!person.IsLocal && limits.WaitingPerPerson > 0 && missions.Index.Waiting(person.Id) is var yours && yours >= limits.WaitingPerPerson)
        {
            return Problems.TooMany(context, "Too much of your work waiting",
                $"You have {yours} missions waiting to run or to be approved, the most one person may ({limits.WaitingPerPerson}). " +
                $"Let some finish, or cancel or reject some, then ask again.", wait);
        }
        return null;
    }
}
