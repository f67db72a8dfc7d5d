"""Authentication profiles, chosen by name (``auth.kind`` in the settings file).

Each profile is a pure function from the settings to a JupyterHub config fragment. Add a
profile by writing one function and one registry line; nothing else branches on the kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import refs
from .settings import EntraIdAuth, HubSettings, Lti13Auth, SharedPasswordAuth

Config = dict[str, dict[str, Any]]
AuthBuilder = Callable[[HubSettings], Config]

#: Keys of ``.academy/hub/secrets.json`` that the demo profile reads.
USER_PASSWORD = "demo_user_password"
ADMIN_PASSWORD = "demo_admin_password"


def shared_password(settings: HubSettings) -> Config:
    """Named demo accounts; learners and tutors share one password, admins another.

    Only the named accounts may log in (``allowed_users``), so the password cannot create users.
    """
    assert isinstance(settings.auth, SharedPasswordAuth)
    return {
        "JupyterHub": {"authenticator_class": "shared-password"},
        "Authenticator": {
            "allowed_users": sorted(set(settings.users()) - set(settings.admins)),
            "admin_users": sorted(settings.admins),
        },
        "SharedPasswordAuthenticator": {
            "user_password": refs.secret(USER_PASSWORD),
            "admin_password": refs.secret(ADMIN_PASSWORD),
        },
    }


def entra_id(settings: HubSettings) -> Config:
    """Microsoft Entra ID (Azure AD) through oauthenticator; the secret stays in the environment."""
    auth = settings.auth
    assert isinstance(auth, EntraIdAuth)
    options: dict[str, Any] = {
        "tenant_id": auth.tenant_id,
        "client_id": auth.client_id,
        "client_secret": refs.env(auth.client_secret_env),
        "oauth_callback_url": auth.callback_url,
        "username_claim": auth.username_claim,
        "enable_pkce": True,
    }
    if auth.allowed_groups:
        options |= {"allowed_groups": sorted(auth.allowed_groups), "manage_groups": False}
    else:
        # The tenant is the boundary: anyone the organisation signs in may learn.
        options["allow_all"] = True
    return {
        "JupyterHub": {"authenticator_class": "oauthenticator.azuread.AzureAdOAuthenticator"},
        "Authenticator": {"admin_users": sorted(settings.admins)},
        "AzureAdOAuthenticator": options,
    }


def lti13(settings: HubSettings) -> Config:
    """A university learning platform launches learners in through LTI 1.3."""
    auth = settings.auth
    assert isinstance(auth, Lti13Auth)
    return {
        "JupyterHub": {"authenticator_class": "ltiauthenticator.lti13.auth.LTI13Authenticator"},
        "Authenticator": {"admin_users": sorted(settings.admins)},
        "LTI13Authenticator": {
            "issuer": auth.issuer,
            "client_id": sorted(auth.client_ids),
            "authorize_url": auth.authorize_url,
            "jwks_endpoint": auth.jwks_endpoint,
            "username_key": auth.username_key,
            # The platform decides who may launch the tool.
            "allow_all": True,
        },
    }


AUTH_PROFILES: dict[str, AuthBuilder] = {
    "shared-password": shared_password,
    "entra-id": entra_id,
    "lti13": lti13,
}


def build_auth(settings: HubSettings) -> Config:
    return AUTH_PROFILES[settings.auth.kind](settings)
