using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Faults;

/// <summary><see cref="EmulatorFaults.Refuse"/>: a new TCP connection is accepted and closed without any HTTP
/// response, and a request on a connection that was already open is dropped the same way.</summary>
internal static class RefuseConnections
{
    /// <summary>Kestrel connection middleware for the listener.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Connections(EmulatorFaults faults) => next => async connection =>
    {
        if (!faults.Refuse)
        {
            await next(connection);
            return;
        }

        // Take the request bytes before closing: the client then sees an orderly close with no response
        // ("empty reply"), never a reset racing its own connect.
        try
        {
            var input = connection.Transport.Input;
            var read = await input.ReadAsync(connection.ConnectionClosed);
            input.AdvanceTo(read.Buffer.End);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            // The client or the emulator gave up first; the connection closes either way.
        }
    };

    /// <summary>HTTP middleware for requests on kept-alive connections opened before the switch.</summary>
    public static Func<RequestDelegate, RequestDelegate> Requests(EmulatorFaults faults) => next => context =>
    {
        if (!faults.Refuse)
        {
            return next(context);
        }

        context.Abort();
        return Task.CompletedTask;
    };
}
