using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.Execution;
using Missions.LanguageModel;
using Missions.Schedules;

namespace Missions.Hosting;

/// <summary>
/// Every options class of the silo bound once from its section and checked as the host starts: a typo or an
/// impossible value stops start-up with the key's name, instead of being clamped or failing when a mission runs.
/// </summary>
public static class MissionsOptionsServices
{
    public static IServiceCollection AddMissionsOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.Bound<ExecutionOptions, ExecutionRules>(configuration, ExecutionOptions.Section);
        services.AddHostedService<ExecutorNamesCheck>();
        services.Bound<ChatOptions, ChatRules>(configuration, ChatOptions.Section);
        services.Bound<ScheduleOptions, ScheduleRules>(configuration, ScheduleOptions.Section);
        services.Bound<LlmOptions, LlmRules>(configuration, LlmOptions.Section);
        return services;
    }

    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>, with <typeparamref name="TRules"/> run at start.</summary>
    public static IServiceCollection Bound<T, TRules>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class
        where TRules : class, IValidateOptions<T>
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, TRules>();
        return services;
    }

    /// <summary>The failures found, as one result.</summary>
    public static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    /// <summary>"Missions:Execution:MaxConcurrency must be at least 1 (it is 0)."</summary>
    public static void AtLeast(List<string> failures, string key, double value, double least)
    {
        if (value < least)
        {
            failures.Add($"{key} must be at least {least} (it is {value}).");
        }
    }

    /// <summary>
    /// <c>Missions:Execution:Executor</c> and <c>Executors:*</c> name executors that exist — checked as the host starts
    /// (the executors themselves read these options, so the options' own rules cannot ask for them).
    /// </summary>
    public sealed class ExecutorNamesCheck(IEnumerable<IMissionExecutor> executors, IOptions<ExecutionOptions> options) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            const string s = ExecutionOptions.Section;
            var failures = new List<string>();
            var known = executors.Select(e => e.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (!known.Contains(options.Value.Executor))
            {
                failures.Add($"{s}:Executor is '{options.Value.Executor}', which is no executor here; use one of: {string.Join(", ", known.Order())}.");
            }
            foreach (var (type, executor) in options.Value.Executors)
            {
                if (!known.Contains(executor))
                {
                    failures.Add($"{s}:Executors:{type} is '{executor}', which is no executor here; use one of: {string.Join(", ", known.Order())}.");
                }
            }
            return failures.Count == 0 ? Task.CompletedTask : throw new OptionsValidationException(s, typeof(ExecutionOptions), failures);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary><c>Missions:Execution</c>: sizes that can work.</summary>
    private sealed class ExecutionRules : IValidateOptions<ExecutionOptions>
    {
        public ValidateOptionsResult Validate(string? name, ExecutionOptions options)
        {
            const string s = ExecutionOptions.Section;
            var failures = new List<string>();
            AtLeast(failures, $"{s}:MaxConcurrency", options.MaxConcurrency, 1);
            AtLeast(failures, $"{s}:MaxQueued", options.MaxQueued, 0);
            if (options.QueuePartitions < 1 || options.QueuePartitions > Missions.Queue.QueuePartitions.Most || options.QueuePartitions > Math.Max(1, options.MaxConcurrency))
            {
                failures.Add($"{s}:QueuePartitions must be from 1 to {Missions.Queue.QueuePartitions.Most} and at most MaxConcurrency ({options.MaxConcurrency}): each partition needs a slot (it is {options.QueuePartitions}).");
            }
            AtLeast(failures, $"{s}:MaxAttempts", options.MaxAttempts, 1);
            AtLeast(failures, $"{s}:RequestTimeoutSeconds", options.RequestTimeoutSeconds, 1);
            AtLeast(failures, $"{s}:MaxResponseBytes", options.MaxResponseBytes, 1024);
            AtLeast(failures, $"{s}:PolitenessDelayMilliseconds", options.PolitenessDelayMilliseconds, 0);
            AtLeast(failures, $"{s}:RetryBaseDelaySeconds", options.RetryBaseDelaySeconds, 0);
            AtLeast(failures, $"{s}:QueueSweepSeconds", options.QueueSweepSeconds, 0.05);
            AtLeast(failures, $"{s}:AgeingSeconds", options.AgeingSeconds, 0.05);
            AtLeast(failures, $"{s}:ShutdownGraceSeconds", options.ShutdownGraceSeconds, 0);
            AtLeast(failures, $"{s}:DelayMilliseconds", options.DelayMilliseconds, 0);
            AtLeast(failures, $"{s}:StopGraceSeconds", options.StopGraceSeconds, 0);
            AtLeast(failures, $"{s}:ToolCallRetentionHours", options.ToolCallRetentionHours, 0);
            if (string.IsNullOrWhiteSpace(options.UserAgent) || options.UserAgent.Any(char.IsControl))
            {
                failures.Add($"{s}:UserAgent must be a line of text (its first word names the robot in robots.txt).");
            }
            return Result(failures);
        }
    }

    private sealed class ChatRules : IValidateOptions<ChatOptions>
    {
        public ValidateOptionsResult Validate(string? name, ChatOptions options)
        {
            var failures = new List<string>();
            AtLeast(failures, $"{ChatOptions.Section}:FreshnessSeconds", options.FreshnessSeconds, 0);
            if (options.ProposalTtlMinutes <= 0)
            {
                failures.Add($"{ChatOptions.Section}:ProposalTtlMinutes must be more than 0 (it is {options.ProposalTtlMinutes}): a proposal needs time to be approved.");
            }
            return Result(failures);
        }
    }

    private sealed class ScheduleRules : IValidateOptions<ScheduleOptions>
    {
        public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
        {
            var failures = new List<string>();
            AtLeast(failures, $"{ScheduleOptions.Section}:MinimumPeriodSeconds", options.MinimumPeriodSeconds, 1);
            return Result(failures);
        }
    }

    private sealed class LlmRules : IValidateOptions<LlmOptions>
    {
        public ValidateOptionsResult Validate(string? name, LlmOptions options)
        {
            const string s = LlmOptions.Section;
            var failures = new List<string>();
            if (!string.IsNullOrWhiteSpace(options.Endpoint)
                && !(Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
            {
                failures.Add($"{s}:Endpoint is '{options.Endpoint}', which is no http(s) URL; give the model server's base, e.g. http://127.0.0.1:11434/v1.");
            }
            if (!string.IsNullOrWhiteSpace(options.Endpoint) && string.IsNullOrWhiteSpace(options.Model))
            {
                failures.Add($"{s}:Model is missing: with {s}:Endpoint set, name the model to ask.");
            }
            AtLeast(failures, $"{s}:TimeoutSeconds", options.TimeoutSeconds, 1);
            return Result(failures);
        }
    }
}
