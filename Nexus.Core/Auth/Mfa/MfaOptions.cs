namespace Nexus.Core.Auth.Mfa;

/// <summary>MFA settings; bound from the <c>Auth</c> section like <see cref="AuthOptions"/> and validated at start.</summary>
public sealed class MfaOptions
{
    public const string Section = AuthOptions.Section;

    /// <summary>
    /// When true, ADMIN and OWNER accounts without active MFA reach only the enrolment endpoints (and their own
    /// profile and logout) until they turn MFA on; every other authenticated route answers 403.
    /// </summary>
    public bool RequireMfaForAdmins { get; set; }
}
