"""IAM's ListEntitiesForPolicy, which moto does not implement, answered from moto's IAM backend.

ecstui asks it which roles have AmazonECSTaskExecutionRolePolicy attached: one paged call for the whole account,
where reading every role's attachments (ListAttachedRolePolicies) costs a call per role and, within IAM's read
rate, a minute on an account of 150 roles. Answered as IAM does: the roles, groups and users the policy is attached
to, filtered by EntityFilter and PathPrefix, MaxItems 1..1000 (100 by default) with a Marker, NoSuchEntity for a
policy that does not exist.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

Answer = tuple[str, list[tuple[str, str]], bytes]

NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
DEFAULT_PAGE = 100
MAX_PAGE = 1000
_HOLDERS = (("Role", "PolicyRoles"), ("Group", "PolicyGroups"), ("User", "PolicyUsers"))


def _xml(status: str, body: str) -> Answer:
    return status, [("Content-Type", "text/xml")], body.encode()


def _error(status: str, code: str, message: str) -> Answer:
    return _xml(
        status,
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>",
    )


def _marker(offset: int, scope: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": scope}).encode()).decode()


def _offset(marker: str, scope: str) -> int | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(marker.encode()))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if data.get("s") == scope and offset >= 0 else None


def _entities(backend: Any, policy_arn: str, entity_filter: str | None, path_prefix: str) -> list[tuple[str, str]]:
    """(kind, member XML) of every entity the policy is attached to, in a stable order."""
    found: list[tuple[str, str]] = []
    sources = (
        ("Role", backend.roles.values(), "RoleName", "RoleId"),
        ("Group", backend.groups.values(), "GroupName", "GroupId"),
        ("User", backend.users.values(), "UserName", "UserId"),
    )
    for kind, entities, name_tag, id_tag in sources:
        if entity_filter not in (None, kind):
            continue
        for entity in sorted(entities, key=lambda e: str(getattr(e, "name", ""))):
            if policy_arn not in getattr(entity, "managed_policies", {}):
                continue
            if not str(getattr(entity, "path", "/")).startswith(path_prefix):
                continue
            found.append(
                (
                    kind,
                    f"<member><{name_tag}>{escape(str(entity.name))}</{name_tag}>"
                    f"<{id_tag}>{escape(str(entity.id))}</{id_tag}></member>",
                )
            )
    return found


def list_entities_for_policy(body: bytes) -> Answer:
    form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
    policy_arn = form.get("PolicyArn", "")
    backend = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    if policy_arn not in backend.managed_policies:  # AWS's managed policies and the account's, by ARN
        return _error("404 Not Found", "NoSuchEntity", f"Policy {policy_arn} does not exist or is not attachable.")
    try:
        page = int(form.get("MaxItems") or DEFAULT_PAGE)
    except ValueError:
        page = 0
    if not 1 <= page <= MAX_PAGE:
        return _error("400 Bad Request", "ValidationError", f"MaxItems must be between 1 and {MAX_PAGE}.")
    entity_filter = form.get("EntityFilter")
    entity_filter = None if entity_filter in (None, "", "AWSManagedPolicy", "LocalManagedPolicy") else entity_filter
    scope = json.dumps({k: v for k, v in sorted(form.items()) if k not in ("Marker", "MaxItems", "Action", "Version")})
    offset = 0
    if form.get("Marker"):
        found_offset = _offset(form["Marker"], scope)
        if found_offset is None:
            return _error("400 Bad Request", "ValidationError", "Invalid Marker.")
        offset = found_offset
    entities = _entities(backend, policy_arn, entity_filter, form.get("PathPrefix") or "/")
    shown = entities[offset : offset + page]
    truncated = offset + page < len(entities)
    parts = []
    for kind, holder in _HOLDERS:
        members = "".join(member for k, member in shown if k == kind)
        parts.append(f"<{holder}>{members}</{holder}>")
    marker = f"<Marker>{_marker(offset + page, scope)}</Marker>" if truncated else ""
    return _xml(
        "200 OK",
        f'<ListEntitiesForPolicyResponse xmlns="{NAMESPACE}"><ListEntitiesForPolicyResult>{"".join(parts)}'
        f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>{marker}</ListEntitiesForPolicyResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</ListEntitiesForPolicyResponse>",
    )
