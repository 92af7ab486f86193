"""The one place that turns AWS and network failures into sentences an operator can act on."""

from __future__ import annotations

import asyncio
from typing import Literal

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.parsers import ResponseParserError

ErrorKind = Literal[
    "throttled",
    "denied",
    "unreachable",
    "not_found",
    "invalid",
    "credentials",
    "read_only",
    "server",
    "malformed",  # a 200 whose answer could not be read (see ecstui.aws.answers)
    "uncertain",  # a change was sent and its answer lost: it may have been applied (see EcsActions)
    "other",
]

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "InvalidSignatureException",
    }
)
# Temporary credentials (SSO, an assumed role, a session token) that have run out: not a permissions problem.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
# Credentials AWS does not know: with a session token, that is what expired temporary credentials look like.
UNKNOWN_CREDENTIALS_CODES = frozenset({"InvalidClientTokenId", "UnrecognizedClientException"})
# The IAM service prefix of the operations ecstui calls outside ECS (everything else it calls is "ecs:").
_IAM_PREFIXES = {
    **dict.fromkeys(
        (
            "DescribeTargetGroups",
            "DescribeLoadBalancers",
            "DescribeListeners",
            "DescribeRules",
            "DescribeTargetHealth",
            "CreateTargetGroup",
            "CreateLoadBalancer",
            "CreateListener",
            "CreateRule",
            "RegisterTargets",
            "DeregisterTargets",
        ),
        "elasticloadbalancing",
    ),
    **dict.fromkeys(
        ("GetLogEvents", "FilterLogEvents", "DescribeLogGroups", "DescribeLogStreams", "StartLiveTail"), "logs"
    ),
    **dict.fromkeys(("GetMetricData", "GetMetricStatistics", "ListMetrics"), "cloudwatch"),
    **dict.fromkeys(
        (
            "DescribeSubnets",
            "DescribeSecurityGroups",
            "DescribeVpcs",
            "DescribeRouteTables",
            "DescribeInstances",
        ),
        "ec2",
    ),
    **dict.fromkeys(("ListRoles", "GetRole", "ListAttachedRolePolicies", "CreateRole", "AttachRolePolicy"), "iam"),
    **dict.fromkeys(("DescribeAutoScalingGroups",), "autoscaling"),
    **dict.fromkeys(("StartSession", "TerminateSession"), "ssm"),
    "SimulatePrincipalPolicy": "iam",
}
NOT_FOUND_CODES = frozenset(
    {
        "ClusterNotFoundException",
        "ServiceNotFoundException",
        "TaskDefinitionNotFoundException",
        "ResourceNotFoundException",
        "TargetGroupNotFound",
        "LoadBalancerNotFound",
        "TaskSetNotFoundException",
        "NoSuchEntity",  # IAM
    }
)
INVALID_CODES = frozenset(
    {
        "InvalidParameterException",
        "ClientException",
        "ValidationException",
        "InvalidParameterValue",
        "ServiceNotActiveException",
        "ClusterContainsServicesException",
        "ClusterContainsTasksException",
        "ClusterContainsContainerInstancesException",
        "UpdateInProgressException",
        "LimitExceededException",
        "PlatformUnknownException",
        "PlatformTaskDefinitionIncompatibilityException",
        "EntityAlreadyExists",  # IAM
        "MalformedPolicyDocument",  # IAM
        "ValidationError",  # IAM, Auto Scaling
    }
)


# What a failed read promises: the panes poll, so the next refresh asks again. Nothing polls a change or a dialog's
# own read, so `said_in_a_dialog` puts what the dialog does instead in the promise's place.
REFRESH_RETRIES = "; the next refresh retries."
BACKS_OFF = "; ecstui backs off and retries."


class AwsError(Exception):
    """A failed AWS call, said in one readable sentence, with what kind of failure it was."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind = "other",
        code: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind
        self.code = code
        self.operation = operation

    @property
    def retryable(self) -> bool:
        return self.kind in ("throttled", "unreachable", "server", "malformed")


def said_in_a_dialog(error: AwsError, instead: str) -> str:
    """The error's sentence for a dialog, where nothing retries by itself: `instead` says what the user can do."""
    message = error.message
    for promise in (REFRESH_RETRIES, BACKS_OFF):
        if message.endswith(promise):
            return f"{message.removesuffix(promise)}. Nothing retries it: {instead}"
    return f"{message} {instead}" if error.retryable else message


def iam_action(operation: str | None) -> str:
    """The IAM action an operation needs: 'elasticloadbalancing:DescribeTargetHealth', 'ecs:ListServices'."""
    return f"{_IAM_PREFIXES.get(operation or '', 'ecs')}:{operation or '*'}"


def refresh_credentials_hint(profile: str | None) -> str:
    """How to get fresh credentials, for the profile in use when it is known."""
    if profile:
        return f"`aws sso login --profile {profile}` (or refresh the profile's role or keys), then ctrl+r"
    return "`aws sso login` (or refresh the role or keys in use), then ctrl+r"


class ReadOnlyError(AwsError):
    """Raised before any request is built when the session is read-only."""

    def __init__(self, action: str) -> None:
        super().__init__(
            f"Read-only session: {action} was not sent. Start ecstui without --read-only to change resources.",
            kind="read_only",
        )


def _client_error(exc: ClientError, profile: str | None, temporary: bool | None) -> AwsError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "").strip()
    operation = exc.operation_name
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in THROTTLE_CODES:
        return AwsError(
            f"AWS is throttling {operation} ({code}){BACKS_OFF}",
            kind="throttled",
            code=code,
            operation=operation,
        )
    whose = f"of profile {profile} " if profile else ""
    if code in EXPIRED_CODES:
        return AwsError(
            f"The AWS credentials {whose}have expired ({operation}: {code}). Refresh them: "
            f"{refresh_credentials_hint(profile)}.",
            kind="credentials",
            code=code,
            operation=operation,
        )
    if code in UNKNOWN_CREDENTIALS_CODES:
        if temporary:
            # A session token AWS does not know is one that has expired (or was revoked with its role session).
            said = (
                f"The temporary AWS credentials {whose}have expired ({operation}: {code}). Refresh them: "
                f"{refresh_credentials_hint(profile)}."
            )
        elif temporary is None:
            said = (
                f"AWS did not recognise the credentials {whose}({operation}: {message or code}). If they are "
                f"temporary (SSO, an assumed role, a session token), they have expired: refresh them with "
                f"{refresh_credentials_hint(profile)}; long-lived access keys may have been deactivated."
            )
        else:
            check = "aws sts get-caller-identity" + (f" --profile {profile}" if profile else "")
            said = (
                f"AWS did not recognise the access key {whose}({operation}: {code}): it may have been deactivated "
                f"or deleted. Check it with `{check}`."
            )
        return AwsError(said, kind="credentials", code=code, operation=operation)
    if code in DENIED_CODES or status == 403:
        return AwsError(
            f"Access denied for {operation}: {message or code}. This profile needs the IAM permission "
            f"{iam_action(operation)}.",
            kind="denied",
            code=code,
            operation=operation,
        )
    if code in NOT_FOUND_CODES:
        return AwsError(
            message or f"{operation}: not found ({code}).", kind="not_found", code=code, operation=operation
        )
    if code in INVALID_CODES or (status is not None and 400 <= int(status) < 500):
        return AwsError(f"{operation} refused: {message or code}", kind="invalid", code=code, operation=operation)
    if (status is not None and int(status) >= 500) or code.isdigit():
        return AwsError(
            f"The AWS endpoint failed {operation} (HTTP {status or code}){REFRESH_RETRIES}",
            kind="server",
            code=code,
            operation=operation,
        )
    return AwsError(f"{operation} failed: {message or code}", kind="other", code=code, operation=operation)


def to_aws_error(
    exc: BaseException,
    *,
    endpoint: str | None = None,
    profile: str | None = None,
    temporary_credentials: bool | None = None,
) -> AwsError:
    """Classify any exception raised by an AWS call; AwsError passes through unchanged.

    `profile` (the one in use, when known) goes into the advice for expired credentials; `temporary_credentials`
    (whether they carry a session token, when known) tells an expired session from an unknown access key.
    """
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, ClientError):
        return _client_error(exc, profile, temporary_credentials)
    where = endpoint or "the AWS endpoint"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError):
        return AwsError(
            f"Cannot reach {where}: {exc}. Check the network, the region and --endpoint-url.", kind="unreachable"
        )
    if isinstance(exc, ReadTimeoutError | asyncio.TimeoutError | TimeoutError):
        return AwsError(f"{where} did not answer in time{REFRESH_RETRIES}", kind="unreachable")
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AwsError(
            "No AWS credentials found: set AWS_PROFILE or pass --profile, or run `aws configure`.", kind="credentials"
        )
    if isinstance(exc, UnauthorizedSSOTokenError | TokenRetrievalError | SSOTokenLoadError) and profile:
        return AwsError(
            f"The SSO session of profile {profile} has expired: run `aws sso login --profile {profile}`.",
            kind="credentials",
        )
    if isinstance(exc, UnauthorizedSSOTokenError | TokenRetrievalError | SSOTokenLoadError):
        return AwsError(
            f"The SSO session has expired: run {refresh_credentials_hint(profile)}. ({exc})", kind="credentials"
        )
    if isinstance(exc, ProfileNotFound):
        return AwsError(f"{exc}. Check --profile / AWS_PROFILE against ~/.aws/config.", kind="credentials")
    if isinstance(exc, NoRegionError):
        return AwsError("No AWS region: pass --region or set AWS_REGION.", kind="credentials")
    if isinstance(exc, ResponseParserError):
        # Normally named with its operation by ecstui.aws.answers; this is the fallback.
        return AwsError(f"{where} returned an answer ecstui could not read ({exc}).", kind="malformed")
    if isinstance(exc, ParamValidationError):
        return AwsError(f"Invalid request: {exc}", kind="invalid")
    if isinstance(exc, BotoCoreError):
        return AwsError(f"AWS client error: {exc}", kind="other")
    if isinstance(exc, OSError):
        return AwsError(f"Cannot reach {where}: {exc}", kind="unreachable")
    return AwsError(f"Unexpected error: {type(exc).__name__}: {exc}", kind="other")
