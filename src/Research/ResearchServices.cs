using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Missions.Hosting;

namespace Missions.Research;

public static class ResearchServices
{
    /// <summary>
    /// Adds the research agent to a silo as the executor named <c>web</c> (the default, see
    /// <see cref="ExecutionOptions.Executor"/>), with its options (<c>Missions:Research</c>), the language model's
    /// uses (answers, choosing links) and its tool-call store: on disk on the embedded default, in PostgreSQL in
    /// cluster mode, so an attempt re-run on another silo reuses the first one's fetches.
    /// </summary>
    public static ISiloBuilder AddResearchAgent(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        services.AddOptions<ResearchOptions>().Bind(configuration.GetSection(ResearchOptions.Section)).ValidateOnStart();
        services.AddSingleton<LlmAnswerWriter>();
        services.AddSingleton<LlmLinkChooser>();
        services.AddSingleton<SemanticMatcher>();
        if (configuration.StorePostgreSql() is null)
        {
            services.AddSingleton<ToolCallStore>();
            services.AddSingleton<IToolCallStore>(sp => sp.GetRequiredService<ToolCallStore>());
        }
        else
        {
            services.AddSingleton<IToolCallStore, PostgresToolCalls>();
        }
        services.Replace(ServiceDescriptor.Singleton<IMissionWorkspace>(sp => sp.GetRequiredService<IToolCallStore>()));
        services.AddSingleton<IMissionExecutor, ResearchAgent>();
        return silo;
    }
}
