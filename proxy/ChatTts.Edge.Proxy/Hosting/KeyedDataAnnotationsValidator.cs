using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Hosting;

/// <summary>
/// DataAnnotations validation of an options section whose messages name each value by its configuration key
/// (<c>The field Edge:Admission:MaxQueueWait must be between …</c>) rather than by its C# class.
/// </summary>
internal sealed class KeyedDataAnnotationsValidator<TOptions>(string sectionPath) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly PropertyInfo[] Properties = typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttributes<ValidationAttribute>().Any())
        .ToArray();

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var property in Properties)
        {
            var context = new ValidationContext(options)
            {
                MemberName = property.Name,
                DisplayName = $"{sectionPath}:{property.Name}",
            };
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateProperty(property.GetValue(options), context, results))
            {
                failures.AddRange(results.Select(r => r.ErrorMessage ?? $"{context.DisplayName} is invalid."));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
