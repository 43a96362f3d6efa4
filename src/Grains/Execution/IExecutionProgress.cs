namespace Missions.Execution;

/// <summary>Where a running executor reports each page it reads (a <see cref="MissionProgress"/> line on the mission).</summary>
public interface IExecutionProgress
{
    Task PageReadAsync(int pagesRead, ToolCall toolCall);
}
