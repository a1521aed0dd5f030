namespace Nexus.Tests.Infrastructure;

/// <summary>The throw-away services that `./nexus test` starts (real PostgreSQL and Azurite, never mocks).</summary>
public static class TestEnvironment
{
    public static string PostgresAdmin => Required("NEXUS_TEST_POSTGRES");

    public static string Storage => Required("NEXUS_TEST_STORAGE");

    /// <summary>A signing key for tests only; real keys come from the environment or Key Vault.</summary>
    public const string JwtSigningKey = "test-signing-key-that-is-long-enough-for-hs256!";

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with ./nexus test, which starts PostgreSQL and Azurite.");
}
