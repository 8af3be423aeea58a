namespace ChatTts.Emulator.Speech;

/// <summary>What determines the audio, whatever the dialect: the same key always gives the same PCM.</summary>
internal readonly record struct SpeechKey(string Text, int Seed, string Voice);
