using Missions.Chat;
using Missions.Queue;

namespace Missions;

/// <summary>
/// References to the project's grains. <c>IGrainFactory.GetGrain&lt;T&gt;(key)</c> resolves the interface's grain
/// type by reflection on every call, a visible share of a short mission's CPU; here it is resolved
/// once per interface and each reference is made from its id.
/// </summary>
public static class GrainReferences
{
    public static IMissionGrain Mission(this IGrainFactory grains, string missionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(missionId);
        return Get(grains, IdSpan.Create(missionId), missionId, static (g, id) => g.GetGrain<IMissionGrain>(id));
    }

    public static IChatSessionGrain Session(this IGrainFactory grains, string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return Get(grains, IdSpan.Create(sessionId), sessionId, static (g, id) => g.GetGrain<IChatSessionGrain>(id));
    }

    /// <summary>The execution queue (its first partition, which answers for the whole queue's status), or one partition of it (see <see cref="QueuePartitions"/>).</summary>
    public static IExecutionQueueGrain Queue(this IGrainFactory grains, int partition = 0) =>
        Get(grains, GrainIdKeyExtensions.CreateIntegerKey(IExecutionQueueGrain.Key + partition), IExecutionQueueGrain.Key + partition,
            static (g, key) => g.GetGrain<IExecutionQueueGrain>(key));

    /// <summary>Every partition of the execution queue, the first first.</summary>
    public static IEnumerable<IExecutionQueueGrain> QueuePartitionsOf(this IGrainFactory grains, int partitions) =>
        Enumerable.Range(0, Math.Max(1, partitions)).Select(p => grains.Queue(p));

    /// <summary>A reference from the cached types, or — the first time — from the factory, whose types are then kept.</summary>
    private static T Get<T, TKey>(IGrainFactory grains, IdSpan key, TKey rawKey, Func<IGrainFactory, TKey, T> resolve)
        where T : IAddressable
    {
        if (Resolved<T>.Types is { } types)
        {
            return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }
        var reference = resolve(grains, rawKey);
        var resolved = (GrainReference)(object)reference;
        Resolved<T>.Types = new GrainTypes(resolved.GrainId.Type, resolved.InterfaceType);
        return reference;
    }

    private sealed record GrainTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class Resolved<T>
    {
        public static GrainTypes? Types;
    }
}
