using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>One emulated GPU and the YARP destination id the proxy knows it by (the <c>backend</c> of a <c>done</c> event).</summary>
internal sealed record Backend(string DestinationId, EmulatorInstance Emulator);
