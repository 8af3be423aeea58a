using ChatTts.Edge.Api;
using ChatTts.Edge.Api.OpenAi;
using ChatTts.Edge.Streaming.OpenAi;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The paths of OpenAI's API that the edge speaks.</summary>
internal static class OpenAiRoutes
{
    public const string Audio = "/v1/audio";
    public const string Speech = Audio + "/speech";
    public const string Models = "/v1/models";

    /// <summary>Who owns the models in <c>/v1/models</c>.</summary>
    public const string Owner = "chattts-edge";
}

internal static class OpenAiEndpoints
{
    /// <summary>
    /// <c>POST /v1/audio/speech</c>, OpenAI's speech API, and <c>GET /v1/models</c>, for OpenAI's SDKs and the gateways that speak
    /// its API. Speech goes the streaming API's way (<see cref="SpeechStreamHandler"/>: caller, quota, admission, retries, metrics,
    /// the completion log line); only the request and the wire format are OpenAI's, and every error is in OpenAI's shape
    /// (<see cref="OpenAiErrorWriter"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapOpenAi(this IEndpointRouteBuilder endpoints)
    {
        var callers = new CallerFilter(allowTokens: true);
        endpoints.MapPost(OpenAiRoutes.Speech, async (HttpContext context, OpenAiSpeechRequestReader reader, SpeechStreamHandler handler) =>
        {
            var (request, problem) = await reader.ReadAsync(context.Request, context.RequestAborted);
            if (request is null)
            {
                await problem!.ExecuteAsync(context);
                return;
            }

            await handler.StreamAsync(context, request.Speech, (c, time, streaming) =>
                new OpenAiSpeechOutput(c, time, streaming.StalledClientTimeout, request.Format, request.Stream));
        }).AddEndpointFilter(callers).DescribeOpenAiSpeech();

        endpoints.MapGet(OpenAiRoutes.Models, (IOptionsMonitor<OpenAiOptions> options) =>
            TypedResults.Ok(new ModelList("list", [.. options.CurrentValue.ModelIds.Select(Model)])))
            .AddEndpointFilter(callers).DescribeOpenAiModels();

        endpoints.MapGet(OpenAiRoutes.Models + "/{model}", IResult (string model, IOptionsMonitor<OpenAiOptions> options) =>
            options.CurrentValue.ModelIds.Contains(model, StringComparer.Ordinal)
                ? TypedResults.Ok(Model(model))
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such model",
                    detail: $"The model '{model}' does not exist here; the models are {OpenAiSpeechFields.List(options.CurrentValue.ModelIds)}.",
                    extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { [OpenAiRequestErrors.ParamExtension] = "model", [OpenAiRequestErrors.CodeExtension] = "model_not_found" }))
            .AddEndpointFilter(callers).DescribeOpenAiModel();
        return endpoints;
    }

    private static ModelEntry Model(string id) => new(id, "model", 0, OpenAiRoutes.Owner);

    /// <summary>OpenAI's list of models.</summary>
    internal sealed record ModelList(string Object, IReadOnlyList<ModelEntry> Data);

    /// <summary>One model, as OpenAI lists it (<c>created</c> is 0: the edge's models have no creation date).</summary>
    internal sealed record ModelEntry(string Id, string Object, long Created, string OwnedBy);
}
