using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Segmentation;

/// <summary>Checks what <c>Edge:Segmentation</c>'s attributes cannot: the shortest segment is no longer than the longest.</summary>
internal sealed class SegmentationOptionsValidator : IValidateOptions<SegmentationOptions>
{
    public ValidateOptionsResult Validate(string? name, SegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MinSegmentCharacters > options.MaxSegmentCharacters
            ? ValidateOptionsResult.Fail($"{SegmentationOptions.SectionName}:MinSegmentCharacters ({options.MinSegmentCharacters}) must not exceed " +
                $"{SegmentationOptions.SectionName}:MaxSegmentCharacters ({options.MaxSegmentCharacters}).")
            : ValidateOptionsResult.Success;
    }
}
