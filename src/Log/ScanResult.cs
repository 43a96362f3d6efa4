namespace Missions.Log;

/// <summary>What a scan of a JSONL file found.</summary>
/// <param name="CompleteLength">Bytes up to and including the last newline: everything after is a torn line.</param>
/// <param name="FileLength">The file's length when it was read.</param>
/// <param name="Lines">Lines read and accepted.</param>
/// <param name="Malformed">Lines that could not be parsed and were skipped.</param>
public readonly record struct ScanResult(long CompleteLength, long FileLength, long Lines, long Malformed)
{
    /// <summary>Bytes after the last newline: a line whose write was cut short.</summary>
    public long TornBytes => FileLength - CompleteLength;
}
