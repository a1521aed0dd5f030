using Nexus.Core.Auth;

namespace Nexus.Core.Admin;

/// <summary>Filter and page of the user list. Status "pending" means not active (awaiting approval or deactivated).</summary>
public sealed record UserListQuery(string? Role, bool? Active, int Page, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
}

public sealed record UserPage(IReadOnlyList<UserProfile> Items, int Page, int PageSize, long Total);

public abstract record SetActiveResult
{
    public sealed record Updated(UserProfile User) : SetActiveResult;

    public sealed record NotFound : SetActiveResult;

    /// <summary>An admin may not deactivate their own account (it would lock the last admin out).</summary>
    public sealed record OwnAccount : SetActiveResult;
}

public abstract record CreateUserResult
{
    public sealed record Created(UserProfile User) : CreateUserResult;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : CreateUserResult;

    public sealed record DuplicateEmail : CreateUserResult;

    public sealed record NotAllowed(string Reason) : CreateUserResult;
}
