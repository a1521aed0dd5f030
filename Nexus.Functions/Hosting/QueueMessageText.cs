using System.Text;

namespace Nexus.Functions.Hosting;

/// <summary>
/// Turns a raw queue message into its text. Producers disagree on encoding (Event Grid has delivered both
/// base64 and plain JSON), so the configured encoding is preferred and the other one accepted.
/// </summary>
public static class QueueMessageText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(string raw, QueueMessageBodyEncoding encoding)
    {
        if (!TryDecodeBase64Text(raw, out var decoded))
        {
            return raw;
        }
        // Plain text can happen to be valid base64; when plain is expected, only JSON decoded from base64 counts as base64.
        return encoding == QueueMessageBodyEncoding.Base64 || LooksLikeJson(decoded) ? decoded : raw;
    }

    private static bool TryDecodeBase64Text(string raw, out string text)
    {
        text = "";
        var trimmed = raw.Trim();
        // Convert skips inner whitespace, but encoders never emit it: "hola mundo" must stay text.
        if (trimmed.Length == 0 || trimmed.Any(char.IsWhiteSpace))
        {
            return false;
        }
        var bytes = new byte[trimmed.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(trimmed, bytes, out var written))
        {
            return false;
        }
        try
        {
            text = StrictUtf8.GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        return text.All(c => !char.IsControl(c) || c is '\t' or '\r' or '\n');
    }

    private static bool LooksLikeJson(string text) => text.TrimStart() is ['{' or '[', ..];
}
