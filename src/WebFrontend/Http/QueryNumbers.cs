using Microsoft.AspNetCore.Http.HttpResults;
using System.Globalization;

namespace Missions.Web.Http;

/// <summary>Whole numbers in a query string, with a problem a person understands when one is not.</summary>
public static class QueryNumbers
{
    /// <summary>
    /// Reads <c>?name=</c> as a whole number from <paramref name="min"/> to <paramref name="max"/>: null when the
    /// query does not have it; false with <paramref name="problem"/> set when it is not such a number.
    /// </summary>
    public static bool TryRead(HttpRequest request, string name, int min, int max, out int? value, out ProblemHttpResult? problem)
    {
        value = null;
        problem = null;
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            value = number;
            return true;
        }
        problem = Problems.BadRequest($"Invalid {name}", $"{name} must be a whole number from {min} to {max}.");
        return false;
    }
}
