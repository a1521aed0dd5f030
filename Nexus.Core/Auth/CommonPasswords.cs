namespace Nexus.Core.Auth;

/// <summary>
/// The common passwords no new password may be (ASVS 6.2.4): <c>common-passwords.txt</c>, embedded in this assembly
/// (its header names the source). Compared case-insensitively, like Django's validator the list comes from.
/// </summary>
public static class CommonPasswords
{
    public const string ResourceName = "Nexus.Core.Auth.common-passwords.txt";

    private static readonly Lazy<HashSet<string>> List = new(Load);

    public static int Count => List.Value.Count;

    /// <summary>Length of the shortest entry: the list was cut at <see cref="PasswordPolicy.MinLength"/>.</summary>
    internal static int ShortestLength => List.Value.Min(p => p.Length);

    public static bool Contains(string password) => List.Value.Contains(password.ToLowerInvariant());

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        var passwords = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                passwords.Add(line);
            }
        }
        return passwords;
    }
}
