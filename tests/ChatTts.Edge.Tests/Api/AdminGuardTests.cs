using System.Net;
using ChatTts.Edge.Api;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatTts.Edge.Tests.Api;

public sealed class AdminGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("2001:db8::7", false)]
    public async Task WithoutAdminKey_OnlyLoopbackGetsThrough(string remote, bool allowed)
    {
        var guard = new AdminGuard(new FixedOptionsMonitor<AdminOptions>(new AdminOptions()));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);

        var result = await guard.InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ => ValueTask.FromResult<object?>("status"));

        if (allowed)
        {
            Assert.Equal("status", result);
        }
        else
        {
            Assert.Equal(StatusCodes.Status403Forbidden, Assert.IsType<ProblemHttpResult>(result).StatusCode);
        }
    }

    [Theory]
    [InlineData("Bearer k3y", true)]
    [InlineData("Bearer other", false)]
    [InlineData("Basic k3y", false)]
    public async Task WithAdminKey_BearerAuthorizationWorksToo_EvenFromLoopback(string authorization, bool allowed)
    {
        var guard = new AdminGuard(new FixedOptionsMonitor<AdminOptions>(new AdminOptions { ApiKey = "k3y" }));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Headers.Authorization = authorization;

        var result = await guard.InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ => ValueTask.FromResult<object?>("status"));

        Assert.Equal(allowed, result is "status");
    }
}
