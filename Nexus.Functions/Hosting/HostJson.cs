namespace Nexus.Functions.Hosting;

/// <summary>The app's host.json (repo root, copied into the build output): the same file the Functions host reads.</summary>
public static class HostJson
{
    public const string FileName = "host.json";

    public static IConfigurationRoot Load(IHostEnvironment environment)
    {
        string[] candidates = [Path.Combine(AppContext.BaseDirectory, FileName), Path.Combine(environment.ContentRootPath, FileName)];
        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{FileName} not found in {string.Join(" or ", candidates)}; the build copies it from the repository root.");
        return new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
    }
}
