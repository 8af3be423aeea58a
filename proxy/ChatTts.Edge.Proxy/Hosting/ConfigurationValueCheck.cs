using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace ChatTts.Edge.Hosting;

/// <summary>
/// Finds every value of an options section that the configuration binder could not convert (a number that is not one,
/// an enum name with a typo, a malformed duration), naming each by its key, before the binder meets the first and
/// throws. Converts as the binder does (the type's <see cref="TypeConverter"/>, invariant culture). Also notices a
/// duration given as a bare number, which .NET reads as days.
/// </summary>
internal static class ConfigurationValueCheck
{
    public static void Check(IConfigurationSection section, Type optionsType, List<string> problems, List<string> warnings)
    {
        foreach (var child in section.GetChildren())
        {
            if (optionsType.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property)
            {
                CheckValue(child, property.PropertyType, problems, warnings);
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems, List<string> warnings)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(target))
        {
            if (section.Value is { } value)
            {
                CheckScalar(section.Path, value, target, Nullable.GetUnderlyingType(type) is not null, problems, warnings);
            }

            return;
        }

        if (ElementType(target) is { } element)
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, element, problems, warnings);
            }

            return;
        }

        if (target.IsClass && target != typeof(object))
        {
            Check(section, target, problems, warnings);
        }
    }

    private static void CheckScalar(string path, string value, Type type, bool nullable, List<string> problems, List<string> warnings)
    {
        if (type == typeof(string) || (value.Length == 0 && nullable))
        {
            return;
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            problems.Add($"{path} is '{value}', which is not {Expected(type)}.");
            return;
        }

        if (type == typeof(TimeSpan) && !value.Contains(':', StringComparison.Ordinal))
        {
            warnings.Add($"{path} is '{value}', which reads as {TimeSpan.Parse(value, CultureInfo.InvariantCulture).TotalDays:0.###} day(s); write hh:mm:ss (e.g. 00:00:{value.PadLeft(2, '0')} for seconds) to make sure.");
        }
    }

    private static string Expected(Type type) =>
        type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
        : type == typeof(TimeSpan) ? "a duration such as 00:00:30 (hh:mm:ss)"
        : type == typeof(bool) ? "true or false"
        : type == typeof(Uri) ? "a URL"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) || type == typeof(decimal) || type == typeof(float) ? "a number"
        : $"a {type.Name}";

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid);

    /// <summary>The element type of a list, array or string-keyed dictionary, which the binder fills child by child.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var arguments = type.GetGenericArguments();
            return arguments.Length switch
            {
                1 => arguments[0],
                2 when arguments[0] == typeof(string) => arguments[1],
                _ => null,
            };
        }

        return null;
    }
}
