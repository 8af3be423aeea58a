using System.Runtime.InteropServices;
using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests;

/// <summary>
/// Ctrl+C, SIGTERM and SIGHUP. The first becomes a cancellation, so the run unwinds through its <c>await using</c>
/// blocks and stops the proxy and <c>redis-server</c> processes. A second one exits at once with code 2; the exit
/// still kills them (<see cref="TestKit.ChildProcess"/> does on <see cref="AppDomain.ProcessExit"/>), which the
/// runtime's default handling of the signal would skip.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    public ShutdownSignal() =>
        _registrations = [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGHUP)];

    public CancellationToken Token => _cancellation.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancellation.Dispose();
    }

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _received) == 1)
        {
            _cancellation.Cancel();
        }
        else
        {
            System.Environment.Exit(ExitCodes.UsageOrEnvironmentError);
        }
    });
}
