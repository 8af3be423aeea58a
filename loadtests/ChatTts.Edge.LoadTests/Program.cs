using ChatTts.Edge.LoadTests;
using ChatTts.Edge.LoadTests.Scenarios;

// dotnet run -c Release --project loadtests/ChatTts.Edge.LoadTests -- <scenario> [--out DIR] [--duration 30s] …
// Exit codes: 0 thresholds hold, 1 a threshold was missed or a metric regressed, 2 usage or environment error (see ExitCodes).
using var shutdown = new ShutdownSignal();
return await ScenarioRunner.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, shutdown.Token, interactive: !Console.IsOutputRedirected);
