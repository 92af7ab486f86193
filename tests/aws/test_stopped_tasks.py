"""stop_cause reads ECS's real stop codes and reasons; summarize_stopped makes a crash loop one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecstui.aws.models import Container, Task
from ecstui.aws.stopped_tasks import StopCause, is_abnormal, stop_cause, summarize_stopped

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/prod-web/6d0ecf831eec9f09"
OOM = "OutOfMemoryError: Container killed due to memory usage"
PULL = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v9: not found"
)
PULL_DENIED = (
    "CannotPullContainerError: Error response from daemon: pull access denied for web, repository does not exist "
    "or may require 'docker login'"
)
SECRETS = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
    "unable to retrieve secret from asm: service call has been retried 1 time(s)"
)


def stopped(
    n: int = 0,
    *,
    code: str | None = None,
    reason: str | None = None,
    exit_code: int | None = None,
    container_reason: str | None = None,
    started_by: str | None = "ecs-svc/1111111111111111111",
    minutes_ago: float = 1,
    sidecar_exit: int | None = None,
) -> Task:
    containers = [Container(name="app", last_status="STOPPED", exit_code=exit_code, reason=container_reason)]
    if sidecar_exit is not None:
        containers.append(Container(name="datadog-agent", last_status="STOPPED", exit_code=sidecar_exit))
    return Task(
        arn=f"arn:aws:ecs:us-east-1:123456789012:task/prod/{n:032x}",
        id=f"{n:032x}",
        cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        task_definition_arn="arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
        last_status="STOPPED",
        desired_status="STOPPED",
        group="service:web",
        started_by=started_by,
        stopped_at=NOW - timedelta(minutes=minutes_ago),
        stop_code=code,
        stopped_reason=reason,
        containers=tuple(containers),
    )


@pytest.mark.parametrize(
    ("task", "cause", "abnormal"),
    [
        pytest.param(
            stopped(
                code="EssentialContainerExited",
                reason="Essential container in task exited",
                exit_code=137,
                container_reason=OOM,
            ),
            "out of memory",
            True,
            id="oom-on-the-container",
        ),
        pytest.param(
            stopped(code="EssentialContainerExited", reason=OOM, exit_code=137, container_reason=OOM),
            "out of memory",
            True,
            id="oom-on-the-task-too",
        ),
        pytest.param(
            stopped(code="EssentialContainerExited", reason="Essential container in task exited", exit_code=137),
            "essential container exited",
            True,
            id="sigkill-without-oom-is-not-memory",
        ),
        pytest.param(
            stopped(code="EssentialContainerExited", reason="Essential container in task exited", exit_code=1),
            "essential container exited",
            True,
            id="crash",
        ),
        pytest.param(
            stopped(code="TaskFailedToStart", reason=PULL, container_reason=PULL), "image pull failure", True, id="pull"
        ),
        pytest.param(
            stopped(code="TaskFailedToStart", reason=PULL_DENIED), "image pull failure", True, id="pull-denied"
        ),
        pytest.param(
            stopped(code="TaskFailedToStart", reason=SECRETS), "task failed to start", True, id="secrets-not-pull"
        ),
        pytest.param(
            stopped(
                code="TaskFailedToStart",
                reason="CannotStartContainerError: Error response from daemon: failed to create shim task",
            ),
            "task failed to start",
            True,
            id="cannot-start",
        ),
        pytest.param(
            stopped(code="ServiceSchedulerInitiated", reason=f"Task failed ELB health checks in (target-group {TG})"),
            "failed ELB health checks",
            True,
            id="elb",
        ),
        pytest.param(
            stopped(
                code="ServiceSchedulerInitiated",
                reason="Scaling activity initiated by (deployment ecs-svc/1111111111111111111)",
            ),
            "scaling activity",
            False,
            id="scale-in",
        ),
        pytest.param(
            stopped(
                code="ServiceSchedulerInitiated",
                reason="Scaling activity initiated by (deployment ecs-svc/2222222222222222222)",
            ),
            "deployment",
            False,
            id="replaced-by-a-rollout",
        ),
        pytest.param(
            stopped(code="UserInitiated", reason="Task stopped by user", exit_code=143),
            "stopped by user",
            False,
            id="user",
        ),
        pytest.param(
            stopped(code="UserInitiated", reason="rolling the nodes"), "stopped by user", False, id="user-own-words"
        ),
        pytest.param(
            stopped(code="SpotInterruption", reason="Your Spot Task was interrupted."),
            "spot interruption",
            False,
            id="spot",
        ),
        pytest.param(
            stopped(code="ServiceSchedulerInitiated", reason="Task failed container health checks", exit_code=137),
            "other",
            True,
            id="container-health-check",
        ),
        pytest.param(
            stopped(code="TerminationNotice", reason="Task stopped because the underlying host is being retired"),
            "other",
            False,
            id="host-retired",
        ),
        pytest.param(stopped(), "other", False, id="nothing-said"),
    ],
)
def test_each_real_stop_reason_has_its_cause(task: Task, cause: StopCause, abnormal: bool) -> None:
    assert stop_cause(task) == cause
    assert is_abnormal(task) is abnormal


def test_a_crash_loop_of_fifty_tasks_is_one_group_and_comes_before_a_larger_planned_scale_in() -> None:
    crashes = [
        stopped(
            i,
            code="EssentialContainerExited",
            reason="Essential container in task exited",
            exit_code=1,
            minutes_ago=i / 2,
            sidecar_exit=0,
        )
        for i in range(50)
    ]
    scale_in = [
        stopped(
            100 + i,
            code="ServiceSchedulerInitiated",
            reason="Scaling activity initiated by (deployment ecs-svc/1111111111111111111)",
        )
        for i in range(60)
    ]
    oom = [
        stopped(200 + i, code="EssentialContainerExited", reason=OOM, exit_code=137, container_reason=OOM)
        for i in range(3)
    ]

    groups = summarize_stopped([*scale_in, *oom, *crashes])

    assert [(g.cause, g.count, g.abnormal) for g in groups] == [
        ("essential container exited", 50, True),
        ("out of memory", 3, True),
        ("scaling activity", 60, False),
    ]
    crash = groups[0]
    assert crash.exit_codes == (1,)  # the sidecar's clean exit is not why it failed
    assert crash.task_arns[0] == crashes[0].arn  # newest first
    assert crash.latest_at == NOW - timedelta(minutes=0)
    assert crash.first_at == NOW - timedelta(minutes=49 / 2)
    assert crash.line(timedelta(minutes=30)) == "Essential container in task exited (exit 1) \u00d750 in 30 min"
    assert groups[1].line() == f"{OOM} (exit 137) \u00d73"


def test_the_example_reason_prefers_the_containers_error_and_shortens_a_target_group_arn() -> None:
    [oom] = summarize_stopped(
        [stopped(code="EssentialContainerExited", reason="Essential container in task exited", container_reason=OOM)]
    )
    assert oom.example_reason == OOM
    [elb] = summarize_stopped(
        [
            stopped(
                code="ServiceSchedulerInitiated",
                reason=f"Task failed ELB health checks in (target-group {TG})",
                exit_code=0,
            )
        ]
    )
    assert elb.example_reason.endswith(f"(target-group {TG})")
    assert elb.line() == "Task failed ELB health checks in (target-group prod-web)"


def test_nothing_stopped_is_no_group() -> None:
    assert summarize_stopped([]) == []
