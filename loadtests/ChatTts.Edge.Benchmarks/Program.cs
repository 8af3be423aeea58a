using BenchmarkDotNet.Running;
using ChatTts.Edge.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(PcmToSseBenchmarks).Assembly).Run(args);
