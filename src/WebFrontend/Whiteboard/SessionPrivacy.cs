namespace Missions.Web.Whiteboard;

/// <summary>
/// A session id is a capability: whoever holds it reads the conversation. The whiteboard and the live stream are
/// everyone's, so what they show of a mission leaves out the session that asked for it (on the wire the field is
/// absent: null is not written).
/// </summary>
public static class SessionPrivacy
{
    public static MissionView WithoutSession(MissionView view) =>
        view with { SessionId = null, Timeline = view.Timeline.Select(WithoutSession).ToList() };

    public static MissionEvent WithoutSession(MissionEvent e) => e switch
    {
        MissionCreated created => created with { SessionId = null! },
        MissionReused reused => reused with { SessionId = null! },
        ScheduleCreated schedule => schedule with { SessionId = null!, SourceMessage = "" },
        _ => e,
    };
}
