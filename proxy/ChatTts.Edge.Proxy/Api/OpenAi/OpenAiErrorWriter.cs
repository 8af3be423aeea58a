using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace ChatTts.Edge.Api.OpenAi;

/// <summary>
/// Writes every problem of the OpenAI routes (<c>/v1/audio/…</c>, <c>/v1/models…</c>) in OpenAI's error shape,
/// <c>{"error":{"message","type","param","code"}}</c>, with the status and headers the edge gives it (<c>Retry-After</c>,
/// <c>WWW-Authenticate</c>, <c>RateLimit-*</c>): the SDKs turn 400, 401, 404, 429, 500 and 503 into their own exceptions. The
/// problems themselves are the edge's one set (caller, quota, validation, <see cref="StreamFailures"/>, routing's 404 and 405),
/// so both APIs refuse the same things for the same reasons.
/// </summary>
internal sealed class OpenAiErrorWriter : IProblemDetailsWriter
{
    /// <summary>Whether <paramref name="path"/> belongs to the OpenAI routes.</summary>
    public static bool Owns(PathString path) =>
        path.StartsWithSegments(OpenAiRoutes.Audio, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(OpenAiRoutes.Models, StringComparison.OrdinalIgnoreCase);

    public bool CanWrite(ProblemDetailsContext context) => Owns(context.HttpContext.Request.Path);

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? response.StatusCode;
        var extensions = problem.Extensions;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", problem.Detail ?? problem.Title ?? "The request failed.");
            json.WriteString("type", Type(status, extensions));
            if (extensions.TryGetValue(OpenAiRequestErrors.ParamExtension, out var param) && param is string name)
            {
                json.WriteString("param", name);
            }
            else
            {
                json.WriteNull("param");
            }

            json.WriteString("code", extensions.TryGetValue(OpenAiRequestErrors.CodeExtension, out var code) && code is string c ? c : Code(status, extensions));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.HttpContext.RequestAborted);
    }

    /// <summary>OpenAI's error types: what the client got wrong, what its plan refuses, or what failed on the server's side.</summary>
    private static string Type(int status, IDictionary<string, object?> extensions) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status429TooManyRequests => Limit(extensions) == "characters" ? "insufficient_quota" : "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    private static string Code(int status, IDictionary<string, object?> extensions) => status switch
    {
        StatusCodes.Status400BadRequest => "invalid_request",
        StatusCodes.Status401Unauthorized => "invalid_api_key",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => "input_too_long",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => Limit(extensions) == "characters" ? "insufficient_quota" : "rate_limit_exceeded",
        StatusCodes.Status502BadGateway => "backend_error",
        StatusCodes.Status503ServiceUnavailable => "service_unavailable",
        StatusCodes.Status504GatewayTimeout => "backend_timeout",
        >= 500 => "internal_error",
        _ => "invalid_request",
    };

    private static string? Limit(IDictionary<string, object?> extensions) => extensions.TryGetValue("limit", out var limit) ? limit as string : null;
}
