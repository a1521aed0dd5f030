using Dapper;
using Nexus.Core.Inventory;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

public sealed class PartNumberNormalizationTests
{
    private static readonly string[] Numbers =
        ["0986AB2854", "0 986 AB2 854", "0986-ab2.854/x", "\t04465-33450\r\n", "ÑU-12ñ", "abc", "A", "", "--..//", "90915YZZD2", "Ab1 ", "ǆ-1"];

    [Fact]
    public async Task The_import_normalises_part_numbers_as_the_database_does_and_keeps_numbers_already_normal_as_they_are()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var connection = await database.DataSource.OpenConnectionAsync();

        foreach (var number in Numbers)
        {
            var expected = await connection.QuerySingleAsync<string>("SELECT normalize_part_number(@number)", new { number });
            var normalized = InventoryRowMapper.NormalizePartNumber(number);

            Assert.Equal(expected, normalized);
            Assert.Equal(expected == number, ReferenceEquals(number, normalized));
        }
    }
}
