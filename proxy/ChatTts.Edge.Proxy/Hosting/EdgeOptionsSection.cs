using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Hosting;

/// <summary>One options section of the edge, as <see cref="EdgeOptionsServiceCollectionExtensions.AddEdgeOptions{TOptions}"/> registered it.</summary>
internal sealed class EdgeOptionsSection(Type optionsType, IConfigurationSection section, Func<IServiceProvider, object> create)
{
    public Type OptionsType { get; } = optionsType;

    public string Path => section.Path;

    /// <summary>
    /// Every mistake of the section as it is configured now: values the binder cannot convert, then (when they all
    /// convert) what the section's validators say. Also the section's warnings.
    /// </summary>
    public (List<string> Problems, List<string> Warnings) Check(IServiceProvider services)
    {
        List<string> problems = [];
        List<string> warnings = [];
        ConfigurationValueCheck.Check(section, OptionsType, problems, warnings);
        if (problems.Count == 0)
        {
            try
            {
                create(services);
            }
            catch (OptionsValidationException ex)
            {
                problems.AddRange(ex.Failures);
            }
        }

        return (problems, warnings);
    }
}
