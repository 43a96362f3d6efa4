using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Missions.Execution;
using Missions.Hosting;

namespace Missions.Tests.Unit;

/// <summary>Each rule of the silo's options: a typo or an impossible value stops the host's start with the key's name.</summary>
public sealed class OptionsRulesTests
{
    private static async Task<string?> StartWithAsync(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddMissionsOptions(builder.Configuration);
        builder.Services.AddSingleton<IMissionExecutor, NoopExecutor>();
        builder.Services.AddSingleton<IMissionExecutor, DelayExecutor>();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex.Message;
        }
    }

    [Theory]
    [InlineData("Missions:Execution:Executor", "nooop", "is no executor here")]
    [InlineData("Missions:Execution:Executors:check", "webb", "is no executor here")]
    [InlineData("Missions:Execution:MaxConcurrency", "0", "at least 1")]
    [InlineData("Missions:Execution:MaxQueued", "-1", "at least 0")]
    [InlineData("Missions:Execution:MaxAttempts", "0", "at least 1")]
    [InlineData("Missions:Execution:RequestTimeoutSeconds", "0", "at least 1")]
    [InlineData("Missions:Execution:MaxResponseBytes", "10", "at least 1024")]
    [InlineData("Missions:Execution:PolitenessDelayMilliseconds", "-5", "at least 0")]
    [InlineData("Missions:Execution:RetryBaseDelaySeconds", "-1", "at least 0")]
    [InlineData("Missions:Execution:QueueSweepSeconds", "0", "at least 0.05")]
    [InlineData("Missions:Execution:AgeingSeconds", "0", "at least 0.05")]
    [InlineData("Missions:Execution:ShutdownGraceSeconds", "-1", "at least 0")]
    [InlineData("Missions:Execution:DelayMilliseconds", "-1", "at least 0")]
    [InlineData("Missions:Execution:StopGraceSeconds", "-1", "at least 0")]
    [InlineData("Missions:Execution:ToolCallRetentionHours", "-1", "at least 0")]
    [InlineData("Missions:Execution:UserAgent", " ", "a line of text")]
    [InlineData("Missions:Chat:FreshnessSeconds", "-1", "at least 0")]
    [InlineData("Missions:Chat:ProposalTtlMinutes", "0", "more than 0")]
    [InlineData("Missions:Schedules:MinimumPeriodSeconds", "0.1", "at least 1")]
    [InlineData("Missions:Llm:Endpoint", "localhost:11434", "no http(s) URL")]
    [InlineData("Missions:Llm:TimeoutSeconds", "0", "at least 1")]
    public async Task A_bad_value_stops_start_up_naming_its_key(string key, string value, string why)
    {
        var settings = new List<(string, string)> { (key, value) };
        if (key != "Missions:Execution:Executor")
        {
            settings.Add(("Missions:Execution:Executor", "noop"));
        }
        if (key == "Missions:Llm:Endpoint")
        {
            settings.Add(("Missions:Llm:Model", "m"));
        }

        var failure = await StartWithAsync([.. settings]);

        Assert.NotNull(failure);
        Assert.Contains(key, failure);
        Assert.Contains(why, failure);
    }

    [Fact]
    public async Task A_model_server_without_a_model_stops_start_up()
    {
        var failure = await StartWithAsync(("Missions:Execution:Executor", "noop"), ("Missions:Llm:Endpoint", "http://127.0.0.1:11434/v1"));
        Assert.Contains("Missions:Llm:Model is missing", failure);
    }

    [Fact]
    public async Task Good_values_start()
    {
        Assert.Null(await StartWithAsync(("Missions:Execution:Executor", "delay"), ("Missions:Execution:Executors:check", "noop"), ("Missions:Execution:MaxConcurrency", "4")));
    }

    [Theory]
    [InlineData("Missions:Orleans:Mode", "clinet", "use 'embedded'")]
    [InlineData("Missions:Orleans:SiloPort", "70000", "from 1 to 65535")]
    [InlineData("Missions:Orleans:GatewayPort", "0", "from 1 to 65535")]
    [InlineData("Missions:Orleans:ClientResponseTimeoutSeconds", "0", "more than 0 and at most 300")]
    [InlineData("Missions:Cluster:ProbeTimeoutSeconds", "-2", "more than 0 and at most 300")]
    [InlineData("Missions:Cluster:GatewayListRefreshSeconds", "soon", "more than 0 and at most 300")]
    public void The_orleans_endpoints_are_checked_as_they_are_read(string key, string value, string why)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();
        var failure = Assert.Throws<OptionsValidationException>(() => configuration.GetOrleansEndpoints());
        Assert.Contains(key, failure.Message);
        Assert.Contains(why, failure.Message);
    }
}
