namespace Missions.Log;

/// <summary>What a <see cref="JsonlAppender"/> has done: batches, lines, and the mean fsync time.</summary>
public readonly record struct AppenderStats(long Batches, long Lines, double MeanFsyncMs)
{
    public double MeanBatchSize => Batches == 0 ? 0 : (double)Lines / Batches;
}
