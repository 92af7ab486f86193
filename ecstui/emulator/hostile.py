"""Seed the embedded AWS with a hostile account: every free-text field carries markup, action links and escapes.

ecstui draws text that other people wrote: whoever may stop a task, register a task definition or tag a resource
chooses what appears in the operator's terminal. This account is what such a person would write, through the
same API calls (over HTTP, as the demo seed does), plus the texts that AWS itself composes from theirs (service
events, container reasons, target health descriptions), which the scheduler simulator sets as ECS would.

Only what real AWS accepts is sent: names with a strict pattern (clusters, services, families, containers,
volumes, target groups, log groups: letters, digits, '-' and '_'), RunTask's startedBy (36 letters, digits,
'-', '/', '_') and tags (ECS and ELB: letters, digits, spaces of any kind and ``_.:/=+-@``) cannot carry a
bracket or an ESC, so they carry what their pattern lets through: Unicode spaces and separators (a line
separator, a no-break space) and lookalike letters. Every field AWS leaves free (images, commands, environment,
secrets, log options, health checks, mount paths, docker labels, working directory, user, stop reasons, task
groups) carries the whole `HOSTILE` string; ELB's free fields (health check path, rule paths, health
descriptions) carry `XML_HOSTILE`, as its XML answers cannot hold C0 controls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecstui.emulator.seed import client, make_network, register_instances
from ecstui.emulator.server import ACCOUNT_ID
from ecstui.emulator.simulator import BEHAVIOUR_TAG, Simulator

# -- the payloads ---------------------------------------------------------------------------------------------

MARKUP = "[bold red]MARKUP[/]"
CLICK = "[@click=app.quit]CLICK[/]"
SHOT = "[@click=screenshot('/tmp/pwned.svg')]SHOT[/]"  # runs on the widget it is drawn in
SAVE = "[@click=app.screenshot('/tmp/pwned-app.svg')]SAVE[/]"  # runs on the app: saves a file anywhere
LINK = "[link=https://evil.example]LINK[/link]"
OSC52 = "\x1b]52;c;SE9TVElMRQ==\x07"  # writes "HOSTILE" to the operator's clipboard
TITLE = "\x1b]0;PWNED-TITLE\x07"  # retitles the window
CLEAR = "\x1b[2J"  # blanks the screen
CSI8 = "\x9b2J"  # the same, as an 8-bit CSI
DCS = "\x1bPq#PWNED-DCS\x1b\\"
APC = "\x1b_PWNED-APC\x1b\\"
BIDI = "\u202e"  # right-to-left override: "exe.txt" reads as "txt.exe"
ZERO_WIDTH = "\u200b"

# Markup and action links first: narrow table cells show the start of a value.
HOSTILE = f"{CLICK} {OSC52} {MARKUP} {SHOT} {SAVE} {LINK} {TITLE} {CLEAR} {CSI8} {DCS} {APC} {BIDI}txt.exe{ZERO_WIDTH}!"

# ELBv2 and EC2 answer in XML, which cannot hold C0 controls at all (ESC and BEL make the document unreadable,
# so real ELB cannot return them): their free fields carry everything else.
XML_HOSTILE = f"{CLICK} {MARKUP} {SHOT} {SAVE} {LINK} {CSI8} {BIDI}txt.exe{ZERO_WIDTH}!"

# What each escape sequence leaves in what is written to a terminal if it gets through (the distinctive bytes).
LEAK_MARKERS = {
    "OSC 52 clipboard write": "\x1b]52;c;SE9T",
    "OSC 0 title": "\x1b]0;PWNED",
    "OSC 8 link": "\x1b]8;",
    "DCS": "\x1bP",
    "APC": "\x1b_",
    "8-bit CSI": "\x9b",
    "bidi override": "\u202e",
    "zero-width space": "\u200b",
}

# What AWS's tag pattern lets through: a line separator, a no-break space, an ideographic space (all \p{Z}), a
# Cyrillic a (U+0430) in place of a Latin 'a' (\p{L}), and '@', '=', '.', which are allowed.
TAG_HOSTILE = "line\u2028break no\u00a0break wide\u3000space Cyrillic-\u0430dmin @click=app.quit"

CLUSTER = "hostile"
WEB = "web"  # a steady service behind a load balancer
ROLLOUT = "rollout"  # a service whose new revision cannot start (the image reference is the payload)
FAMILY = "hostile-web"
ROLLOUT_FAMILY = "hostile-rollout"
TARGET_GROUP = "hostile-web"
LOG_GROUP = "/ecs/hostile-web"  # log group names: letters, digits and _-/.# only


def _tags(kind: str) -> list[dict[str, str]]:
    return [{"key": f"{kind}\u2028owner", "value": TAG_HOSTILE}, {"key": "team", "value": f"ops\u00a0{kind}"}]


def container_definitions(region: str, image: str = HOSTILE) -> list[dict[str, Any]]:
    """Every field of a container definition that ECS leaves free, carrying `HOSTILE`.

    Container names and volume names follow ECS's name pattern, and `links` hold container names (and only work
    on bridge networking), so they carry none; an image reference is documented as letters, digits and
    ``-_:./#``, but RegisterTaskDefinition does not check it (the pull fails later), so it carries the payload.
    """
    app: dict[str, Any] = {
        "name": "app",
        "image": image,
        "essential": True,
        "cpu": 0,
        "memory": 256,
        "command": ["sh", "-c", HOSTILE],
        "entryPoint": [HOSTILE],
        "environment": [
            {"name": HOSTILE, "value": "name"},
            {"name": "VALUE", "value": HOSTILE},
        ],
        "secrets": [
            {"name": HOSTILE, "valueFrom": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/hostile"},
            # A Secrets Manager ARN's JSON key is free text; the rest of a valueFrom has a shape ecstui checks.
            {
                "name": "FROM",
                "valueFrom": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:hostile-Ab12Cd:{HOSTILE}::",
            },
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": LOG_GROUP,
                "awslogs-region": region,
                "awslogs-stream-prefix": "ecs",
                "tag": HOSTILE,
            },
        },
        "healthCheck": {"command": ["CMD-SHELL", HOSTILE], "interval": 30, "timeout": 5, "retries": 3},
        "mountPoints": [{"sourceVolume": "data", "containerPath": f"/data/{HOSTILE}", "readOnly": False}],
        "dockerLabels": {HOSTILE: HOSTILE},
        "workingDirectory": f"/srv/{HOSTILE}",
        "user": HOSTILE,
        "portMappings": [{"containerPort": 8080, "protocol": "tcp", "name": "web-8080"}],
        "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
        "environmentFiles": [{"value": f"arn:aws:s3:::hostile/{HOSTILE}.env", "type": "s3"}],
        "dependsOn": [{"containerName": "sidecar", "condition": "START"}],
    }
    sidecar: dict[str, Any] = {
        "name": "sidecar",
        "image": f"public.ecr.aws/hostile/sidecar:{HOSTILE}",
        "essential": False,
        "cpu": 0,
        "memory": 128,
        "command": [HOSTILE],
        "environment": [{"name": "SIDECAR", "value": HOSTILE}],
        "firelensConfiguration": {"type": "fluentbit", "options": {"config-file-value": HOSTILE}},
    }
    return [app, sidecar]


def _register(ecs: Any, family: str, region: str, image: str = HOSTILE) -> str:
    arn: str = ecs.register_task_definition(
        family=family,
        containerDefinitions=container_definitions(region, image),
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        executionRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/ecsTaskExecutionRole",
        taskRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/hostile-task",
        volumes=[
            {
                "name": "data",
                "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0", "rootDirectory": f"/{HOSTILE}"},
            }
        ],
        tags=_tags("family"),
    )["taskDefinition"]["taskDefinitionArn"]
    return arn


def seed_hostile(endpoint_url: str, region: str = "us-east-1") -> None:
    """Cluster "hostile": services "web" (behind target group "hostile-web") and "rollout", both on task
    definitions whose every free field is `HOSTILE`, and one container instance (for the instances pane)."""
    ecs = client("ecs", endpoint_url, region)
    ec2 = client("ec2", endpoint_url, region)
    elbv2 = client("elbv2", endpoint_url, region)
    logs = client("logs", endpoint_url, region)
    net = make_network(ec2, region, cidr="10.66.0.0/16", name="hostile")
    ecs.create_cluster(
        clusterName=CLUSTER,
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        settings=[{"name": "containerInsights", "value": "enabled"}],
        tags=_tags("cluster"),
    )
    register_instances(ec2, ecs, CLUSTER, net.private_subnets, net.instance_sg, 1, region)
    logs.create_log_group(logGroupName=LOG_GROUP)

    group = elbv2.create_target_group(
        Name=TARGET_GROUP,
        Protocol="HTTP",
        Port=8080,
        VpcId=net.vpc_id,
        TargetType="ip",
        HealthCheckPath=f"/healthz?{XML_HOSTILE}",
        Tags=[{"Key": "owner\u2028name", "Value": TAG_HOSTILE}],
    )["TargetGroups"][0]["TargetGroupArn"]
    balancer = elbv2.create_load_balancer(
        Name="hostile-public",
        Subnets=net.public_subnets,
        SecurityGroups=[net.alb_sg],
        Scheme="internet-facing",
        Type="application",
        Tags=[{"Key": "owner", "Value": TAG_HOSTILE}],
    )["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]
    elbv2.create_rule(
        ListenerArn=listener,
        Priority=10,
        # Path patterns are free text (up to 128 characters of it).
        Conditions=[{"Field": "path-pattern", "Values": [f"/{CLICK}{CSI8}{BIDI}*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": group}],
    )

    web = _register(ecs, FAMILY, region, image=f"public.ecr.aws/hostile/web:{HOSTILE}")
    _register(ecs, ROLLOUT_FAMILY, region, image="public.ecr.aws/hostile/rollout:v1")
    network = {
        "awsvpcConfiguration": {
            "subnets": net.private_subnets,
            "securityGroups": [net.app_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=WEB,
        taskDefinition=web,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=network,
        loadBalancers=[{"targetGroupArn": group, "containerName": "app", "containerPort": 8080}],
        healthCheckGracePeriodSeconds=60,
        tags=_tags("service"),
        propagateTags="SERVICE",
    )
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=ROLLOUT,
        taskDefinition=f"{ROLLOUT_FAMILY}:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=network,
        deploymentConfiguration={
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        },
        tags=[*_tags("service"), {"key": BEHAVIOUR_TAG, "value": "bad-deploy"}],
        propagateTags="SERVICE",
    )


def stir_hostile(
    endpoint_url: str, simulator: Simulator, region: str = "us-east-1", now: datetime | None = None
) -> None:
    """After the warm start: what people write into a running account, and what ECS composes from it.

    - StopTask with the payload as its reason (a user's own words, shown as the stop reason);
    - RunTask with the payload as the task group ("service:" + payload reads as the task's service name) and
      its container overrides;
    - a new revision of "rollout" whose image is the payload: ECS stops its tasks with CannotPullContainerError
      naming the image, in the task's stop reason, the container's reason and the service's events;
    - service events, a deployment's rollout reason, a stopped container's reason and a target's health
      description carrying the payload, as ECS and ELB would compose them from a user's text.
    """
    ecs = client("ecs", endpoint_url, region)
    tasks = ecs.list_tasks(cluster=CLUSTER, serviceName=WEB, desiredStatus="RUNNING")["taskArns"]
    web = ecs.describe_services(cluster=CLUSTER, services=[WEB])["services"][0]
    network = web["networkConfiguration"]
    ecs.run_task(
        cluster=CLUSTER,
        taskDefinition=FAMILY,
        count=1,
        launchType="FARGATE",
        networkConfiguration=network,
        group=f"service:{HOSTILE}",
        startedBy="hostile/batch_1",  # startedBy allows letters, digits, '-', '/' and '_' only
        overrides={
            "containerOverrides": [
                {"name": "app", "command": [HOSTILE], "environment": [{"name": "X", "value": HOSTILE}]}
            ]
        },
    )
    bad = ecs.register_task_definition(
        family=ROLLOUT_FAMILY,
        containerDefinitions=container_definitions(region, image=f"public.ecr.aws/hostile/rollout:{HOSTILE}"),
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        executionRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/ecsTaskExecutionRole",
        volumes=[{"name": "data"}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=ROLLOUT, taskDefinition=bad)
    for _ in range(3):
        simulator.step(now)
    stopped = sorted(tasks)[0]
    ecs.stop_task(cluster=CLUSTER, task=stopped, reason=HOSTILE)
    for _ in range(4):
        simulator.step(now)
    _compose(simulator, stopped, now)


def _compose(simulator: Simulator, stopped_task: str, now: datetime | None) -> None:
    """The texts ECS and ELB write themselves, set as they would read with a hostile user's text inside."""
    from ecstui.emulator import log_sim, scheduler_hooks

    with simulator.server.lock:
        backend = simulator.ecs
        service = backend.services[f"{CLUSTER}:{WEB}"]
        service._ecstui_pending_messages = [
            f"(service {WEB}) was unable to place a task. Reason: {HOSTILE}.",
            f"(service {WEB}) failed to launch a task with (error {HOSTILE}).",
        ]
        service.deployments[0]["rolloutStateReason"] = f"ECS deployment failed: {HOSTILE}"
        for task in backend.tasks[CLUSTER].values():
            if task.task_arn == stopped_task:
                for container in task.containers:
                    container.reason = f"CannotStartContainerError: {HOSTILE}"
                    container.exitCode = 1
                # Its last log line, which its pane and the triage show: whatever the process printed.
                stream = f"ecs/app/{task.task_arn.rsplit('/', 1)[-1]}"
                log_sim.write(simulator.region, LOG_GROUP, stream, now or scheduler_hooks.utcnow(), [HOSTILE])
        elbv2 = simulator.elbv2
        for group in elbv2.target_groups.values():
            if group.name != TARGET_GROUP:
                continue
            overrides = scheduler_hooks.target_health_overrides(group)
            healthy = sorted(key for key, (state, _, _) in overrides.items() if state == "healthy")
            for key in healthy[:1]:
                overrides[key] = ("unhealthy", "Target.ResponseCodeMismatch", f"{XML_HOSTILE} (health checks failed)")
    simulator.step(now)


__all__ = ["HOSTILE", "LEAK_MARKERS", "XML_HOSTILE", "seed_hostile", "stir_hostile"]
