namespace Nexus.Tests.Infrastructure;

/// <summary>One private database and one app shared by the tests of a class (xunit IClassFixture), to avoid a host start per test.</summary>
public sealed class SharedAppFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public NexusApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        App = new NexusApp(Database);
        App.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
