// Two cores: clusters and web processes of different collections would compete; run collections one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
