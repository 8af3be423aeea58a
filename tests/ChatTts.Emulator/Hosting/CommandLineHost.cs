using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator.Hosting;

/// <summary>Runs every instance of the command line in this process until Ctrl+C or SIGTERM.</summary>
internal static class CommandLineHost
{
    public static async Task<int> RunAsync(CommandLineSettings settings)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var instances = new List<EmulatorInstance>();
        try
        {
            foreach (var (dialect, port) in settings.Instances)
            {
                var options = settings.ToOptions(dialect, port);
                options.ConfigureLogging = ConfigureLogging;
                var instance = await EmulatorInstance.StartAsync(options);
                instances.Add(instance);
                Console.WriteLine($"{instance.Dialect,-15} {instance.BaseAddress}  (engine {instance.EngineName}; {Habits(instance)})");
            }

            Console.WriteLine("Emulators running; Ctrl+C stops them.");
            await stop.Task;
            return 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"Could not start: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    private static string Habits(EmulatorInstance instance) => string.Join(", ",
        instance.RunsInParallel ? "parallel" : "one at a time",
        instance.HealthBlocksDuringSynthesis ? "health blocks while busy" : "health always answers",
        instance.KeepsComputingAfterDisconnect ? "keeps computing after a disconnect" : "stops when the client leaves");

    private static void ConfigureLogging(ILoggingBuilder logging) => logging
        .AddSimpleConsole(console => console.SingleLine = true)
        .SetMinimumLevel(LogLevel.Warning)
        .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
        .AddFilter("ChatTts.Emulator", LogLevel.Information);
}
