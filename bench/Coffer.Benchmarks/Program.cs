using BenchmarkDotNet.Running;
using Coffer.Benchmarks;

// `inventory-seed` and `inventory-run` are the end-to-end inventory benchmark (see bench/README.md), `inline-threshold`
// measures small bodies inline against blob files, `journal-run` an incremental report after N journaled changes; anything
// else goes to BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "inventory-seed" => await InventoryBenchmark.SeedAsync(args[1..]),
    "inventory-run" => await InventoryBenchmark.RunAsync(args[1..]),
    "inline-threshold" => await InlineThresholdBenchmark.RunAsync(args[1..]),
    "journal-run" => await JournalBenchmark.RunAsync(args[1..]),
    "report-libraries" => await LibraryBenchmark.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
