using Microsoft.Extensions.Options;

namespace Missions.Log;

/// <summary>
/// Whether this process can write its logs (none, for a web frontend that follows a silo's). After a failed write
/// (a full disk, a read-only directory) it probes the data directory with a small fsynced file, so it reports
/// recovery as soon as space returns.
/// </summary>
public sealed class LogHealth(IEnumerable<IWrittenLog> logs, IOptions<MissionsOptions> options)
{
    /// <summary>Null when the logs can be written; otherwise why not.</summary>
    public string? Problem()
    {
        var failure = logs.Select(log => log.LastFailure).FirstOrDefault(failure => failure is not null);
        if (failure is null)
        {
            return null;
        }
        var probe = options.Value.PathOf($".probe-{Guid.NewGuid():N}");
        try
        {
            using (var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                file.Write(new byte[4096]);
                file.Flush(flushToDisk: true);
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without the path: /readyz is answered to anyone, and where the data lives is the server's own business.
            var why = ex.Message.Replace(probe, Path.GetFileName(probe), StringComparison.Ordinal);
            return $"The data directory cannot be written ({why}); last failure: {failure}";
        }
    }
}
