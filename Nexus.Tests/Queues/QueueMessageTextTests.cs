using System.Text;
using Nexus.Functions.Hosting;

namespace Nexus.Tests.Queues;

public sealed class QueueMessageTextTests
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData(QueueMessageBodyEncoding.Base64)]
    [InlineData(QueueMessageBodyEncoding.None)]
    public void Json_arrives_as_sent_whether_base64_or_plain(QueueMessageBodyEncoding encoding)
    {
        const string json = """{"data":{"url":"https://x/y.csv"},"eventType":"Microsoft.Storage.BlobCreated"}""";

        Assert.Equal(json, QueueMessageText.Decode(json, encoding));
        Assert.Equal(json, QueueMessageText.Decode(Base64(json), encoding));
    }

    [Fact]
    public void Base64_mode_decodes_text_and_keeps_plain_words_that_only_look_like_base64()
    {
        Assert.Equal("hola ñandú", QueueMessageText.Decode(Base64("hola ñandú"), QueueMessageBodyEncoding.Base64));
        // "test" is valid base64 but decodes to bytes that are not UTF-8 text.
        Assert.Equal("test", QueueMessageText.Decode("test", QueueMessageBodyEncoding.Base64));
        // Whitespace is skipped by base64 decoders, so "aGVs bG8h" would decode to "hello!"; encoders never emit it.
        Assert.Equal("aGVs bG8h", QueueMessageText.Decode("aGVs bG8h", QueueMessageBodyEncoding.Base64));
    }

    [Fact]
    public void Plain_mode_keeps_text_that_is_not_base64_encoded_json()
    {
        Assert.Equal(Base64("hola"), QueueMessageText.Decode(Base64("hola"), QueueMessageBodyEncoding.None));
        Assert.Equal("part-1", QueueMessageText.Decode("part-1", QueueMessageBodyEncoding.None));
    }
}
