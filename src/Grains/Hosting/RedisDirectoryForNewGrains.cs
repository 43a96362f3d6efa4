using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Orleans.GrainDirectory;
using Orleans.Metadata;
using Orleans.Runtime.GrainDirectory;

namespace Missions.Hosting;

/// <summary>
/// Cluster mode: where missions and conversations are found is kept in Redis, not in the silos' own directory.
/// Orleans' directory is split across the silos, so while a silo is frozen (a long pause, a VM stopped) and not yet
/// declared dead, no grain whose entry falls in its part can be activated anywhere — every new mission is a new grain,
/// so a third of a three-silo cluster's new missions waited 30 s, and each conversation that asked for one waited with
/// it until every conversation did. Redis answers for every part. These two are the grains made all day, and both
/// are fenced by their stream's version in the store, so even a second activation (Redis restarted without its
/// append-only file) could not write twice; the execution queue and the schedules stay on the strongly consistent
/// directory, where one activation is guaranteed.
/// </summary>
internal sealed class RedisDirectoryForNewGrains(IServiceProvider services, GrainClassMap classes) : IGrainDirectoryResolver
{
    /// <summary>The directory's name among the silo's directories.</summary>
    public const string Name = "missions-redis";

    private static readonly Type[] InRedis = [typeof(MissionGrain), typeof(Chat.ChatSessionGrain)];

    private IGrainDirectory? _directory;

    public bool TryResolveGrainDirectory(GrainType grainType, GrainProperties? properties, [NotNullWhen(true)] out IGrainDirectory? grainDirectory)
    {
        if (classes.TryGetGrainClass(grainType, out var type) && InRedis.Contains(type))
        {
            grainDirectory = _directory ??= services.GetRequiredKeyedService<IGrainDirectory>(Name);
            return true;
        }
        grainDirectory = null;
        return false;
    }
}
