using System.Diagnostics;
using System.Globalization;
using System.Text;
using ChatTts.Emulator.Wav;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator.Speech;

/// <summary>Real speech from the <c>espeak-ng</c> process: text on stdin (never on the command line),
/// WAV on stdout, resampled from its 22 050 Hz to 24 000 Hz. Voice variant, pitch and speed come from
/// the seed and voice; <c>cmn</c> for text with CJK characters, <c>en</c> otherwise.</summary>
internal sealed partial class EspeakEngine(string executable, TimeProvider timeProvider, ILogger logger)
{
    private const string ExecutableName = "espeak-ng";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Variants = ["m1", "m2", "m3", "m4", "m7", "f1", "f2", "f3", "f4", "f5"];

    /// <summary>The full path of espeak-ng when it is on PATH.</summary>
    public static string? Locate()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, ExecutableName))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The samples at 24 kHz, or null when espeak-ng failed or said nothing.</summary>
    public async Task<short[]?> SynthesizeAsync(SpeechKey key)
    {
        var hash = StableHash.Of(key.Seed, key.Voice);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        string[] arguments =
        [
            "--stdout", "--stdin", "-b", "1",
            "-v", $"{(ContainsCjk(key.Text) ? "cmn" : "en")}+{Variants[hash % Variants.Length]}",
            "-p", (35 + ((hash >> 8) % 30)).ToString(CultureInfo.InvariantCulture),
            "-s", (150 + ((hash >> 16) % 35)).ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var timeout = new CancellationTokenSource(Timeout, timeProvider);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("espeak-ng did not start.");
            using var wav = new MemoryStream();
            var output = process.StandardOutput.BaseStream.CopyToAsync(wav, timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(key.Text);
            process.StandardInput.Close();
            await Task.WhenAll(output, errors, process.WaitForExitAsync(timeout.Token));
            if (process.ExitCode != 0)
            {
                Log.EspeakFailed(logger, process.ExitCode, errors.Result);
                return null;
            }

            var decoded = WavReader.ReadMono16(wav.GetBuffer().AsSpan(0, (int)wav.Length));
            return decoded is { Samples.Length: > 0 } d ? Resampler.Resample(d.Samples, d.SampleRate, PcmFormat.SampleRate) : null;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException
            or System.ComponentModel.Win32Exception)
        {
            Log.EspeakError(logger, e);
            return null;
        }
    }

    private static bool ContainsCjk(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF)
                or (>= 0x20000 and <= 0x2FA1F))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Warning, "espeak-ng exited with {ExitCode}: {Errors}; using the synthetic voice")]
        public static partial void EspeakFailed(ILogger logger, int exitCode, string errors);

        [LoggerMessage(1002, LogLevel.Warning, "espeak-ng could not run; using the synthetic voice")]
        public static partial void EspeakError(ILogger logger, Exception exception);
    }
}
