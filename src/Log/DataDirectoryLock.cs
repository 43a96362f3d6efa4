namespace Missions.Log;

/// <summary>
/// One writing process per data directory: an exclusive lock on <c>.lock</c> in it, held while the logs are open.
/// Two processes appending to the same files would overwrite each other's acknowledged lines, so a second one
/// refuses to start. The lock is the operating system's (released when the process dies, even by kill -9).
/// Readers (a web frontend in client mode) take none.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the directory's lock, creating the directory if needed; throws with a message a person can act on when another process holds it.</summary>
    public static DataDirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Unix and a share-mode lock on Windows.
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            file.Write(pid);
            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException ex)
        {
            throw new DataDirectoryInUseException(
                $"Another Missions process is using the data directory {directory} (it holds {FileName} there). " +
                "Two processes writing the same logs would overwrite each other's lines: stop the other process, " +
                "or give this one its own directory with --Missions:DataDirectory=PATH.", ex);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The data directory is locked by another process.</summary>
public sealed class DataDirectoryInUseException(string message, Exception inner) : IOException(message, inner)
{
    /// <summary>This failure, wherever start-up wrapped it (dependency injection, the host, an aggregate); null when it is not one.</summary>
    public static DataDirectoryInUseException? In(Exception? ex) => ex switch
    {
        null => null,
        DataDirectoryInUseException inUse => inUse,
        AggregateException aggregate => aggregate.InnerExceptions.Select(In).FirstOrDefault(e => e is not null),
        _ => In(ex.InnerException),
    };
}
