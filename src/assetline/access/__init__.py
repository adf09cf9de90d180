"""Who may do what: users, roles, API tokens and passwords. Every user belongs to one tenant."""

from assetline.access.roles import ROLES, Actor, Permission, Role, allowed, require
from assetline.access.users import (
    authenticate_password,
    authenticate_token,
    create_token,
    create_user,
    list_tokens,
    list_users,
    revoke_token,
)

__all__ = ["ROLES", "Actor", "Permission", "Role", "allowed", "authenticate_password", "authenticate_token",
           "create_token", "create_user", "list_tokens", "list_users", "require", "revoke_token"]
