using System.Net;
using Nexus.Core.Storage;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Nexus.Tests.Hostile;

/// <summary>
/// Issue #7, bad input: every case of the corpus through the real HTTP API (files through the real queue to a terminal
/// status), each answered clearly, none leaving a partial write, the host healthy after each and after all of them.
/// </summary>
[TestCaseOrderer("Nexus.Tests.Hostile.AftermathLastOrderer", "Nexus.Tests")]
public sealed class HostileInputTests(HostileFixture fixture) : IClassFixture<HostileFixture>
{
    public static TheoryData<string> Corpus() => new(HostileCorpus.Cases.Keys);

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Hostile_input_is_answered_clearly_and_writes_nothing_it_should_not(string name)
    {
        var run = await HostileRun.StartAsync(fixture);
        await HostileCorpus.Cases[name].Run(run);
        await run.VerifyAftermathAsync();
    }

    [Fact]
    public async Task After_the_whole_corpus_the_host_is_healthy_and_a_normal_upload_still_works()
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.AnonymousClient().GetAsync("/api/health")).StatusCode);
        var poisoned = await fixture.Storage.Queue(NexusStorage.InventoryUploadsQueue + "-poison").PeekMessagesAsync(32);
        Assert.Empty(poisoned.Value);

        var run = await HostileRun.StartAsync(fixture);
        await run.CompletesAsync(HostileFile.Of("normal.csv", HostileFiles.Csv("ABC-123,120.50,8,Centro,2,Toyota", "XYZ 789,99,3,Sur,,")),
            imported: 2, [], HostileFileCases.Seeded(new Item("ABC-123", "Centro", 120.50m, 8, 2), new Item("XYZ 789", "Sur", 99m, 3)));
        await run.VerifyAftermathAsync();
        // The per-case check for logged failures looks at what this provider captured: it did capture the host's logs.
        Assert.Contains(fixture.Logs.Entries, e => e.Category.EndsWith("InventoryUploadProcessor", StringComparison.Ordinal));
    }
}

/// <summary>Runs the corpus in its order and the aftermath test after all of it.</summary>
public sealed class AftermathLastOrderer : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name == nameof(HostileInputTests.After_the_whole_corpus_the_host_is_healthy_and_a_normal_upload_still_works));
}
