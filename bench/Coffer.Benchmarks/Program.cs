using BenchmarkDotNet.Running;
using Coffer.Benchmarks;

// `inventory-seed` and `inventory-run` are the end-to-end inventory benchmark (see docs/performance.md), `inventory-help` a
// second node taking partitions beside `inventory-run`, `inline-threshold`
// measures small bodies inline against blob files, `journal-run` an incremental report after N journaled changes,
// `notify-seed` fills the outbox for bench/notify.sh, `batch-run` a batch job over an inventory report of the seeded
// bucket, `report-libraries` our report writers beside the libraries, `report-writers` each writer fed column batches
// straight, `kestrel-floor` an empty Kestrel app for bench/floor.sh; anything else goes to BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "inventory-seed" => await InventoryBenchmark.SeedAsync(args[1..]),
    "inventory-run" => await InventoryBenchmark.RunAsync(args[1..]),
    "inventory-help" => await InventoryBenchmark.HelpAsync(args[1..]),
    "inline-threshold" => await InlineThresholdBenchmark.RunAsync(args[1..]),
    "journal-run" => await JournalBenchmark.RunAsync(args[1..]),
    "notify-seed" => await NotificationBenchmark.SeedAsync(args[1..]),
    "batch-run" => await BatchBenchmark.RunAsync(args[1..]),
    "report-libraries" => await LibraryBenchmark.RunAsync(args[1..]),
    "report-writers" => await ReportWriterBenchmark.RunAsync(args[1..]),
    "kestrel-floor" => await KestrelFloor.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
