using Missions.Chat;
using Missions.Execution;

namespace Missions;

/// <summary>
/// A mission that waits for a yes: created <c>proposed</c> with its plan, it is queued when a person approves it, ends
/// <c>cancelled</c> (reason <c>rejected</c>) when they say no, and ends the same way (reason <c>proposal_expired</c>)
/// when nobody decides within <see cref="ChatOptions.ProposalTtlMinutes"/>. Until then its plan can change.
/// The expiry is a timer of the activation (kept alive while it waits) and, for a proposal whose activation went
/// (a restart), the queue's minutely check (<see cref="ExpireIfDueAsync"/>).
/// </summary>
public sealed partial class MissionGrain
{
    private IGrainTimer? _expiry;

    private TimeSpan ProposalTtl => TimeSpan.FromMinutes(Math.Max(0.001, chatOptions.Value.ProposalTtlMinutes));

    private DateTime ExpiresAt => State.CreatedAt!.Value + ProposalTtl;

    /// <summary>Writes a proposal (its creation and its <c>proposed</c> status); null when the mission existed.</summary>
    private async Task<bool?> ProposeAsync(MissionCreated creation)
    {
        var proposed = new MissionStatusUpdated
        {
            MissionId = MissionId, TraceId = creation.TraceId, Timestamp = creation.Timestamp, Status = MissionStatus.Proposed, Reason = MissionReasons.AwaitingApproval,
        };
        if (!await TryRaiseAsync([creation, proposed]))
        {
            return null;
        }
        WaitForDecision();
        return false;
    }

    /// <summary>Keeps the activation while the proposal waits, and ends it when its time is up.</summary>
    private void WaitForDecision()
    {
        var left = ExpiresAt - DateTime.UtcNow;
        if (left < TimeSpan.Zero)
        {
            left = TimeSpan.Zero;
        }
        DelayDeactivation(left + TimeSpan.FromMinutes(1));
        _expiry?.Dispose();
        _expiry = this.RegisterGrainTimer(async _ => await ExpireIfDueAsync(), left + TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
    }

    public async Task<MissionCommandResult> ApproveAsync(Actor by)
    {
        if (await DecisionRefusedAsync("approve") is { } refused)
        {
            return refused;
        }
        _expiry?.Dispose();
        var slot = await QueueAsync(
            [new MissionStatusUpdated { MissionId = MissionId, Timestamp = DateTime.UtcNow, Status = MissionStatus.Queued, Attempt = 1, Reason = MissionReasons.Approved, DecidedVia = by.Via, DecidedBy = by.PersonId }],
            State.Priority, State.Constraints!.MaxDurationSeconds, attempt: 1) ?? throw Conflict();
        LogDecided(logger, MissionId, "approved", by.Via, by.PersonId);
        if (slot)
        {
            BeginRun(attempt: 1);
        }
        var now = State.Status == MissionStatus.Active ? "is running" : "is queued";
        return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = $"Approved — mission {MissionId} {now}. I'll post the result here." };
    }

    public async Task<MissionCommandResult> RejectAsync(Actor by)
    {
        if (await DecisionRefusedAsync("reject") is { } refused)
        {
            return refused;
        }
        _expiry?.Dispose();
        // Said in the chat, the chat's own answer says so; said elsewhere (the API), the chat is told.
        await EndAsync(MissionStatus.Cancelled, 0, MissionReasons.Rejected, null, "The proposal was rejected.", TimeSpan.Zero,
            decidedBy: by, notifySession: by.Via != MissionDecisions.Chat);
        LogDecided(logger, MissionId, "rejected", by.Via, by.PersonId);
        return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = $"Rejected — mission {MissionId} will not run." };
    }

    public async Task<MissionCommandResult> ReviseAsync(MissionRevision revision)
    {
        if (await DecisionRefusedAsync("change") is { } refused)
        {
            return refused;
        }
        var c = State.Constraints!;
        var constraints = c with
        {
            MaxPages = revision.MaxPages ?? c.MaxPages,
            MaxDurationSeconds = revision.MaxDurationSeconds ?? c.MaxDurationSeconds,
            AllowedDomains = [.. c.AllowedDomains.Concat(revision.AddDomains).Distinct(StringComparer.OrdinalIgnoreCase).Take(MissionDraftBuilder.MaxDomains)],
        };
        var startUrls = State.StartUrls.Concat(revision.AddStartUrls).Distinct(StringComparer.Ordinal).Take(MissionConstraints.MaxMaxPages).ToList();
        var priority = revision.Priority ?? State.Priority;
        if (constraints.MaxPages == c.MaxPages && constraints.MaxDurationSeconds == c.MaxDurationSeconds
            && constraints.AllowedDomains.SequenceEqual(c.AllowedDomains) && startUrls.SequenceEqual(State.StartUrls) && priority == State.Priority)
        {
            return Refused($"That leaves proposal {MissionId} as it was: {ChatReplies.Plan(State.Objective!, c, State.StartUrls, State.Priority)}");
        }
        await RaiseAsync([new MissionRevised { MissionId = MissionId, Timestamp = DateTime.UtcNow, Constraints = constraints, StartUrls = startUrls, Priority = priority, SourceMessage = revision.Message }]);
        return new MissionCommandResult
        {
            MissionId = MissionId, Accepted = true, Status = State.Status,
            Message = $"Changed — proposal {MissionId} will now {ChatReplies.Plan(State.Objective!, constraints, startUrls, priority)} Say \"go\" to run it or \"no\" to drop it.",
        };
    }

    public async Task ExpireIfDueAsync()
    {
        if (State.Status != MissionStatus.Proposed || !State.Exists)
        {
            return;
        }
        if (DateTime.UtcNow < ExpiresAt)
        {
            if (_expiry is null)
            {
                WaitForDecision(); // read back after a restart: wait here again
            }
            return;
        }
        await ExpireAsync();
    }

    private async Task ExpireAsync()
    {
        _expiry?.Dispose();
        _expiry = null;
        await EndAsync(MissionStatus.Cancelled, 0, MissionReasons.ProposalExpired, null,
            $"The proposal expired: nobody approved it within {ChatReplies.Wait(ProposalTtl)}.", TimeSpan.Zero);
        LogDecided(logger, MissionId, "expired", "timer", "nobody");
    }

    /// <summary>Why a decision about the proposal cannot be taken now, or null when it can.</summary>
    private async Task<MissionCommandResult?> DecisionRefusedAsync(string verb)
    {
        if (!State.Exists)
        {
            return Unknown();
        }
        if (State.Status == MissionStatus.Proposed && DateTime.UtcNow >= ExpiresAt)
        {
            await ExpireAsync();
        }
        if (State.Status != MissionStatus.Proposed)
        {
            var why = State.Error is { } error && State.Status == MissionStatus.Cancelled ? $" ({error.TrimEnd('.')})" : "";
            return Refused($"Mission {MissionId} is {State.Status.ToWireName().Replace('_', ' ')}{why}, not waiting for approval: there is nothing to {verb}.");
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proposal {MissionId} {Decision} (via {Via}, by {PersonId})")]
    private static partial void LogDecided(ILogger logger, string missionId, string decision, string via, string personId);
}
