using Microsoft.Extensions.Options;

namespace Missions.Execution;

/// <summary>Picks the executor for an objective type, as configuration says.</summary>
public sealed class ExecutorCatalog(IEnumerable<IMissionExecutor> executors, IOptions<ExecutionOptions> options)
{
    private readonly Dictionary<string, IMissionExecutor> _byName =
        executors.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    public IMissionExecutor For(string objectiveType)
    {
        var name = options.Value.Executors.TryGetValue(objectiveType, out var specific) ? specific : options.Value.Executor;
        return _byName.TryGetValue(name, out var executor)
            ? executor
            : throw new InvalidOperationException(
                $"No executor named '{name}' (configured for objective type '{objectiveType}'); known: {string.Join(", ", _byName.Keys)}.");
    }
}
