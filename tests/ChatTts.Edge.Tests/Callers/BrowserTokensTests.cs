using ChatTts.Edge.Callers;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Tests.Callers;

public sealed class BrowserTokensTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Validate_IssuedToken_GivesBackItsKeyAndCapUntilItExpires()
    {
        var tokens = Tokens(QuotaSettings.SigningKey);
        var issued = tokens.Issue("alice", TimeSpan.FromMinutes(5), maxCharacters: 300);

        var fresh = tokens.Validate(issued.Token);
        _time.Advance(TimeSpan.FromMinutes(5));
        var expired = tokens.Validate(issued.Token);

        Assert.Equal(new TokenPayload("alice", _time.GetUtcNow().ToUnixTimeSeconds(), 300), fresh);
        Assert.Equal(_time.GetUtcNow(), issued.ExpiresAt);
        Assert.Null(expired);
    }

    [Fact]
    public void Validate_TamperedPayloadOrSignatureOrOtherSecret_IsRefused()
    {
        var tokens = Tokens(QuotaSettings.SigningKey);
        var token = tokens.Issue("alice", TimeSpan.FromMinutes(5), maxCharacters: null).Token;
        var parts = token.Split('.');
        var forgedPayload = Tokens(QuotaSettings.SigningKey).Issue("mallory", TimeSpan.FromMinutes(5), null).Token.Split('.')[1];

        Assert.Null(tokens.Validate($"{parts[0]}.{forgedPayload}.{parts[2]}"));
        Assert.Null(tokens.Validate($"{parts[0]}.{parts[1]}.{parts[2][..^1]}{(parts[2][^1] == 'A' ? 'B' : 'A')}"));
        Assert.Null(Tokens("another-signing-key-of-at-least-32-chars!").Validate(token));
        Assert.Null(tokens.Validate("t1.garbage"));
        Assert.Null(tokens.Validate("t1.!!!.???"));
        Assert.NotNull(tokens.Validate(token));
    }

    private BrowserTokens Tokens(string secret) =>
        new(Options.Create(new CallerOptions { TokenSigningKey = secret }), _time, NullLogger<BrowserTokens>.Instance);
}
