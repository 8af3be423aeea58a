using ChatTts.Edge.Api.OpenAi;

namespace ChatTts.Edge.Tests.Api.OpenAi;

public sealed class OpenAiSpeechFieldsTests
{
    [Theory]
    [InlineData(0.25, 1)]
    [InlineData(0.5, 3)]
    [InlineData(0.75, 4)]
    [InlineData(1.5, 6)]
    [InlineData(2.0, 7)]
    [InlineData(3.0, 8)]
    [InlineData(4.0, 9)]
    public void EdgeSpeed_OpenAisSpeed_IsTheEdgesOnALogScaleAroundFive(double openAi, int edge) =>
        Assert.Equal(edge, OpenAiSpeechFields.EdgeSpeed(openAi));

    [Fact]
    public void EdgeSpeed_NormalSpeed_IsLeftToTheBackend() => Assert.Null(OpenAiSpeechFields.EdgeSpeed(1.0));
}
