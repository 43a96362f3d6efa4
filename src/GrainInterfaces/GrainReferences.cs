using Missions.Chat;

namespace Missions;

/// <summary>
/// References to the project's string-keyed grains. <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> resolves the
/// interface's grain type by reflection on every call (about 5 % of the CPU of a noop mission in a profile);
/// here it is resolved once per interface and each reference is made from its id.
/// </summary>
public static class GrainReferences
{
    public static IMissionGrain Mission(this IGrainFactory grains, string missionId) => Typed<IMissionGrain>.Get(grains, missionId);

    public static IChatSessionGrain Session(this IGrainFactory grains, string sessionId) => Typed<IChatSessionGrain>.Get(grains, sessionId);

    private static class Typed<T> where T : IGrainWithStringKey
    {
        private sealed record Types(GrainType Grain, GrainInterfaceType Interface);

        private static Types? s_types;

        public static T Get(IGrainFactory grains, string key)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key);
            if (s_types is { } types)
            {
                return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
            }
            var reference = grains.GetGrain<T>(key);
            var resolved = (GrainReference)(object)reference;
            s_types = new Types(resolved.GrainId.Type, resolved.InterfaceType);
            return reference;
        }
    }
}
