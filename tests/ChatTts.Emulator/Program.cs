using ChatTts.Emulator.Hosting;

namespace ChatTts.Emulator;

/// <summary>The command-line host: several emulated servers in one process (demo, load tests, manual runs).</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!CommandLine.TryParse(args, out var settings, out var error))
        {
            await Console.Error.WriteLineAsync($"{error}\n\n{CommandLine.Usage}");
            return 2;
        }

        if (settings.Help)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }

        return await CommandLineHost.RunAsync(settings);
    }
}
