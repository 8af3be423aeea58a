namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>What every scenario gets: the common settings, the clock, the console and the command that started it.</summary>
internal sealed record ScenarioContext(RunSettings Run, TimeProvider Time, TextWriter Output, TextWriter Error, string Command);
