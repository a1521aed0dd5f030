namespace Nexus.Tests.Web;

/// <summary>The browser tests share one host and one chromium; xunit runs the classes of a collection one after another.</summary>
[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Web";
}
