"""Drives the Vault simulator through hvac's own methods and prints what hvac parsed, as one JSON document.

Run by hvac.test.ts with Debian's python3-hvac (0.11.2). argv: VAULT_ADDR. Prints no token or key: only shapes,
lengths and the values the test compares.
"""
import json
import sys

import hvac
import hvac.exceptions

addr = sys.argv[1]
out = {}

client = hvac.Client(url=addr)
login = client.auth.userpass.login(username="alice", password="alice-pw")
out["userpass"] = {
    "has_token": client.token is not None and client.token.startswith("hvs."),
    "policies": login["auth"]["policies"],
    "lease_duration": login["auth"]["lease_duration"],
    "metadata": login["auth"]["metadata"],
}
out["is_authenticated"] = client.is_authenticated()

creds = client.read("litellm/creds/dev")
lease_id = creds["lease_id"]
out["creds"] = {
    "lease_prefix": lease_id.rsplit("/", 1)[0],
    "lease_duration": creds["lease_duration"],
    "renewable": creds["renewable"],
    "alias_prefix": creds["data"]["key_alias"][: len("acme-dev-")],
    "key_starts_sk": creds["data"]["key"].startswith("sk-"),
    "role": creds["data"]["role"],
}
out["missing_read"] = client.read("litellm/roles/ghost")

renewed = client.sys.renew_lease(lease_id=lease_id, increment=7200)
out["renew"] = {"same_lease": renewed["lease_id"] == lease_id, "lease_duration": renewed["lease_duration"], "warnings": renewed["warnings"]}

looked = client.sys.read_lease(lease_id=lease_id)
out["lookup"] = {"same_lease": looked["data"]["id"] == lease_id, "ttl": looked["data"]["ttl"], "renewable": looked["data"]["renewable"]}

revoked = client.sys.revoke_lease(lease_id=lease_id)
out["revoke_status"] = revoked.status_code
try:
    client.sys.read_lease(lease_id=lease_id)
    out["lookup_after_revoke"] = "no error"
except hvac.exceptions.InvalidRequest as e:
    out["lookup_after_revoke"] = {"type": "InvalidRequest", "errors": e.errors}

self_info = client.auth.token.lookup_self()
out["lookup_self"] = {"ttl": self_info["data"]["ttl"], "path": self_info["data"]["path"], "renewable": self_info["data"]["renewable"]}
renewed_self = client.auth.token.renew_self(increment=600)
out["renew_self"] = {"lease_duration": renewed_self["auth"]["lease_duration"]}

token_client = hvac.Client(url=addr, token=client.token)
out["token_login_authenticated"] = token_client.is_authenticated()

bad = hvac.Client(url=addr, token="hvs.not-a-token")
try:
    bad.read("litellm/creds/dev")
    out["forbidden"] = "no error"
except hvac.exceptions.Forbidden as e:
    out["forbidden"] = {"type": "Forbidden", "errors": e.errors}

try:
    hvac.Client(url=addr).auth.userpass.login(username="alice", password="wrong")
    out["bad_password"] = "no error"
except hvac.exceptions.InvalidRequest as e:
    out["bad_password"] = {"type": "InvalidRequest", "errors": e.errors}

print(json.dumps(out))
