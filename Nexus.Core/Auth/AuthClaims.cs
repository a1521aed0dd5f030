namespace Nexus.Core.Auth;

/// <summary>Claim names of our access tokens (the spec's payload plus jti and the session family).</summary>
public static class AuthClaims
{
    public const string UserId = "user_id";
    public const string Role = "role";
    public const string BusinessName = "business_name";
    public const string TokenId = "jti";

    /// <summary>The refresh-token family the access token belongs to; logout and reuse detection end it.</summary>
    public const string Session = "sid";
}
