using Nexus.Core.Database;
using Npgsql;

namespace Nexus.Tests.Database;

public sealed class DatabaseOptionsTests
{
    [Theory]
    [InlineData("Host=db;Username=u", DatabaseOptions.DefaultMaxPoolSize)]
    [InlineData("Host=db;Username=u;Maximum Pool Size=30", 30)]
    [InlineData("Host=db;maximum pool size=3;Username=u", 3)]
    [InlineData("MaxPoolSize=50;Host=db", 50)]
    public void The_pool_size_of_the_connection_string_wins_over_the_default(string connectionString, int expected)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        DatabaseOptions.ApplyDefaultPoolSize(builder, connectionString);
        Assert.Equal(expected, builder.MaxPoolSize);
    }
}
