using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Backends;

/// <summary>How each real server's "your request is wrong" and its other failures read.</summary>
public sealed class BackendFailuresTests
{
    [Theory]
    [InlineData(422, """{"detail":"Invalid speaker"}""", "Invalid speaker")]                                          // forge
    [InlineData(422, """{"detail":[{"loc":["query","top_k"],"msg":"Input should be less than or equal to 100","type":"less_than_equal"}]}""", "top_k: Input should be less than or equal to 100")]
    [InlineData(500, """{"error":{"message":"speed must be between 0.5 and 2.0","type":"ValidationError"}}""", "speed must be between 0.5 and 2.0")] // openai_api.py
    [InlineData(400, """{"error":{"message":"input must not be empty","type":"HTTPException"}}""", "input must not be empty")]
    [InlineData(414, "URI Too Long", "URI Too Long")]
    public async Task FromStatus_TheServersOwnValidationError_IsRejectedQuotingItsReason(int status, string body, string reason)
    {
        var failure = await BackendFailures.FromStatusAsync(Response(status, body), TimeProvider.System, CancellationToken.None);

        Assert.Equal(BackendFailureKind.Rejected, failure.Kind);
        Assert.False(failure.IsTransient); // neither retried nor counted against the GPU
        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, """{"error":{"message":"CUDA out of memory","type":"RuntimeError"}}""")]
    [InlineData(503, """{"detail":"busy"}""")]
    [InlineData(404, "Not Found")]
    public async Task FromStatus_AnyOtherFailure_IsAStatusFailure(int status, string body)
    {
        var failure = await BackendFailures.FromStatusAsync(Response(status, body), TimeProvider.System, CancellationToken.None);

        Assert.Equal(BackendFailureKind.Status, failure.Kind);
        Assert.Equal((HttpStatusCode)status, failure.StatusCode);
        Assert.Equal(status >= 500, failure.IsTransient);
    }

    [Fact]
    public async Task FromStatus_AHugeBody_ReadsOnlyItsHead()
    {
        var body = new string('x', 10 * BackendFailures.MaxBodyBytes);

        var failure = await BackendFailures.FromStatusAsync(Response(422, body), TimeProvider.System, CancellationToken.None);

        Assert.Equal(BackendFailureKind.Rejected, failure.Kind);
        Assert.True(failure.Message.Length < 400);
    }

    [Fact]
    public void RetryAfter_ADateFarInTheFuture_IsCappedAndAPastOneAsksForNoWait()
    {
        var time = new ManualTimeProvider();
        var now = time.GetUtcNow();

        Assert.Equal(RetryAfter.Max, RetryAfter.FromHeader(new RetryConditionHeaderValue(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero)), time));
        Assert.Null(RetryAfter.FromHeader(new RetryConditionHeaderValue(now.AddHours(-1)), time));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.FromHeader(new RetryConditionHeaderValue(now.AddSeconds(30)), time));
        Assert.Equal(TimeSpan.FromSeconds(3), RetryAfter.FromHeader(new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)), time));
        Assert.Null(RetryAfter.FromHeader(null, time));
    }

    private static HttpResponseMessage Response(int status, string body) => new((HttpStatusCode)status)
    {
        Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "text/plain"),
    };
}
