namespace Nexus.Core.Auth;

/// <summary>An account to create, by public registration, by an admin, or by the demo seed.</summary>
public sealed record NewUser(
    string Email,
    string Password,
    string Name,
    string Role,
    string? BusinessName = null,
    string? Phone = null,
    string? Address = null)
{
    /// <summary>Field errors keyed by the API's snake_case names; empty when the account may be created.</summary>
    public Dictionary<string, string[]> Validate(IReadOnlyCollection<string> allowedRoles)
    {
        var errors = new Dictionary<string, string[]>();
        if (EmailAddress.Problem(Email) is { } email)
        {
            errors["email"] = [email];
        }
        if (PasswordPolicy.Problem(Password, Email, Name, BusinessName) is { } password)
        {
            errors["password"] = [password];
        }
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors["name"] = ["Name is required."];
        }
        else if (Name.Trim().Length > 200)
        {
            errors["name"] = ["Name must be at most 200 characters."];
        }
        if (!allowedRoles.Contains(Role))
        {
            errors["role"] = [$"Role must be one of: {string.Join(", ", allowedRoles)}."];
        }
        var needsBusiness = Role is Roles.Taller or Roles.Bodega;
        if (needsBusiness && string.IsNullOrWhiteSpace(BusinessName))
        {
            errors["business_name"] = ["Business name is required for TALLER and BODEGA accounts."];
        }
        else if (BusinessName?.Trim().Length > 200)
        {
            errors["business_name"] = ["Business name must be at most 200 characters."];
        }
        if (Phone?.Trim().Length > 50)
        {
            errors["phone"] = ["Phone must be at most 50 characters."];
        }
        return errors;
    }

    /// <summary>Trimmed text and the email in lower case, as stored.</summary>
    public NewUser Normalized() => this with
    {
        Email = EmailAddress.Normalize(Email),
        Name = Name.Trim(),
        BusinessName = Blank(BusinessName),
        Phone = Blank(Phone),
        Address = Blank(Address),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
