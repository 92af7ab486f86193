"""Seed the embedded AWS with a believable ECS account (demo) or a large cluster (scale), over HTTP."""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

from moto.moto_api._internal import mock_random

from ecstui.aws.validation import FARGATE_TASK_SIZES
from ecstui.emulator.exec_sim import grant_exec_channels
from ecstui.emulator.scaling_sim import seed_demo_scaling
from ecstui.emulator.seed_capacity import seed_capacity_group
from ecstui.emulator.server import ACCOUNT_ID
from ecstui.emulator.simulator import BEHAVIOUR_TAG

ECR = f"{ACCOUNT_ID}.dkr.ecr.{{region}}.amazonaws.com"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/ecsTaskExecutionRole"
ECS_AMI = "ami-0c2b8ca1dad447f8a"  # an ECS-optimised Amazon Linux 2 image id, as a label
HEALTH_CHECK = {
    "command": ["CMD-SHELL", "curl -fs http://localhost:8080/healthz || exit 1"],
    "interval": 30,
    "timeout": 5,
    "retries": 3,
    "startPeriod": 15,
}


@functools.lru_cache(maxsize=32)
def client(service: str, endpoint_url: str, region: str) -> Any:
    # Cached: building a boto3 client costs more than most seeding calls, and tests seed many times.
    # Explicit dummy credentials: seeding must not depend on, or change, the process environment.
    boto3: Any = importlib.import_module("boto3")  # untyped; the app itself uses aiobotocore
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
    )


@dataclass
class Network:
    vpc_id: str
    public_subnets: list[str]
    private_subnets: list[str]
    alb_sg: str
    app_sg: str
    instance_sg: str


@dataclass
class ServiceSpec:
    cluster: str
    name: str
    family: str
    desired: int
    kind: str  # "fargate" (awsvpc) or "ec2" (bridge)
    port: int | None = None
    target_group: str | None = None
    behaviour: str | None = None
    strategy: list[dict[str, Any]] | None = None
    launch_type: str | None = None
    circuit_breaker: bool = False
    team: str = "platform"
    cpu: int = 256
    memory: int = 512
    sidecar: bool = False
    volumes: list[str] = field(default_factory=list)
    revisions: tuple[str, ...] = ("v1.4.0", "v1.4.1", "v1.5.0")


def make_network(ec2: Any, region: str, cidr: str = "10.0.0.0/16", name: str = "demo") -> Network:
    vpc = ec2.create_vpc(
        CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{name}-vpc"}]}]
    )["Vpc"]["VpcId"]
    # ECS's awsvpc tasks need DNS hostnames in the VPC (moto refuses them otherwise, as AWS would misbehave).
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    prefix = cidr.split(".")[0] + "." + cidr.split(".")[1]
    zones = [f"{region}a", f"{region}b", f"{region}c"]
    public: list[str] = []
    private: list[str] = []
    for i, zone in enumerate(zones):
        for kind, third, bucket in (("public", i * 16, public), ("private", 128 + i * 16, private)):
            subnet = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"{prefix}.{third}.0/20",
                AvailabilityZone=zone,
                TagSpecifications=[
                    {"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": f"{name}-{kind}-{zone[-1]}"}]}
                ],
            )["Subnet"]["SubnetId"]
            bucket.append(subnet)
    alb_sg = ec2.create_security_group(GroupName=f"{name}-alb", Description="Load balancers", VpcId=vpc)["GroupId"]
    app_sg = ec2.create_security_group(GroupName=f"{name}-tasks", Description="ECS tasks", VpcId=vpc)["GroupId"]
    instance_sg = ec2.create_security_group(
        GroupName=f"{name}-ecs-instances", Description="ECS container instances", VpcId=vpc
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=alb_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    ec2.authorize_security_group_ingress(
        GroupId=app_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": alb_sg}]}
        ],
    )
    route_to_internet(ec2, vpc, public, name)
    return Network(vpc, public, private, alb_sg, app_sg, instance_sg)


def route_to_internet(ec2: Any, vpc: str, subnets: list[str], name: str) -> None:
    """Make the subnets public as AWS means it: a route table sending 0.0.0.0/0 to the VPC's internet gateway.

    Tasks started there with assignPublicIp ENABLED get a public IP (the simulator gives it). The ids these draw
    are put back into moto's random stream (the emulator runs in this process), so every id drawn after them (the
    demo's tasks, and the snapshots recorded from them) is the one it was before the subnets had a route.
    """
    from moto.moto_api._internal import mock_random

    state = mock_random.getstate()
    try:
        tagged = [{"Key": "Name", "Value": f"{name}-public"}]
        igw = ec2.create_internet_gateway(
            TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": f"{name}-igw"}]}]
        )["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        table = ec2.create_route_table(VpcId=vpc, TagSpecifications=[{"ResourceType": "route-table", "Tags": tagged}])[
            "RouteTable"
        ]["RouteTableId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        for subnet in subnets:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    finally:
        mock_random.setstate(state)


def container_definitions(spec: ServiceSpec, image: str, region: str) -> list[dict[str, Any]]:
    log_config = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": f"/ecs/{spec.family}", "awslogs-region": region, "awslogs-stream-prefix": "ecs"},
    }
    app: dict[str, Any] = {
        "name": spec.name,
        "image": image,
        "essential": True,
        "cpu": spec.cpu if spec.kind == "ec2" else 0,
        "memory": spec.memory,
        "environment": [
            {"name": "APP_ENV", "value": spec.cluster},
            {"name": "SERVICE_NAME", "value": spec.name},
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://localhost:4317"},
        ],
        "secrets": [
            {
                "name": "DATABASE_URL",
                "valueFrom": (
                    f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{spec.cluster}/{spec.name}/db-Xy12Ab"
                ),
            },
            {
                "name": "FEATURE_FLAGS",
                "valueFrom": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/{spec.cluster}/{spec.name}/feature-flags",
            },
        ],
        "logConfiguration": log_config,
        "mountPoints": [],
    }
    if spec.port:
        mapping: dict[str, Any] = {"containerPort": spec.port, "protocol": "tcp", "name": f"{spec.name}-{spec.port}"}
        if spec.kind == "ec2":
            mapping["hostPort"] = 0  # dynamic host port on bridge networking
        app["portMappings"] = [mapping]
        app["healthCheck"] = HEALTH_CHECK
    for volume in spec.volumes:
        path = {"shared-assets": "/srv/assets", "docker-sock": "/var/run/docker.sock", "scratch": "/tmp/scratch"}[
            volume
        ]
        app["mountPoints"].append({"sourceVolume": volume, "containerPath": path, "readOnly": volume == "docker-sock"})
    containers = [app]
    if spec.sidecar:
        containers.append(
            {
                "name": "datadog-agent",
                "image": "public.ecr.aws/datadog/agent:7.52.0",
                "essential": False,
                "cpu": 0,
                "memory": 128,
                "environment": [{"name": "ECS_FARGATE", "value": "true" if spec.kind == "fargate" else "false"}],
                "secrets": [
                    {
                        "name": "DD_API_KEY",
                        "valueFrom": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/shared/datadog-api-key",
                    }
                ],
                "logConfiguration": log_config,
            }
        )
    return containers


VOLUMES: dict[str, dict[str, Any]] = {
    "shared-assets": {
        "name": "shared-assets",
        "efsVolumeConfiguration": {
            "fileSystemId": "fs-0a1b2c3d4e5f60718",
            "rootDirectory": "/assets",
            "transitEncryption": "ENABLED",
        },
    },
    "docker-sock": {"name": "docker-sock", "host": {"sourcePath": "/var/run/docker.sock"}},
    "scratch": {"name": "scratch"},  # no host path: a bind mount ECS manages for the task
}


def register_revisions(ecs: Any, spec: ServiceSpec, region: str) -> list[str]:
    arns = []
    for tag in spec.revisions:
        image = f"{ECR.format(region=region)}/{spec.family}:{tag}"
        kwargs: dict[str, Any] = {
            "family": spec.family,
            "containerDefinitions": container_definitions(spec, image, region),
            "executionRoleArn": EXECUTION_ROLE,
            "taskRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{spec.family}-task",
            "volumes": [VOLUMES[v] for v in spec.volumes],
            "tags": [{"key": "team", "value": spec.team}],
        }
        if spec.kind == "fargate":
            extra = 128 if spec.sidecar else 0
            cpu = max(256, spec.cpu)
            # The smallest task memory Fargate takes with this CPU that holds the containers: a sidecar's 128 MiB
            # over 512 would be 640, which ECS refuses ("No Fargate configuration exists for given values").
            memory = min(m for m in FARGATE_TASK_SIZES[cpu] if m >= spec.memory + extra)
            kwargs.update(
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu=str(cpu),
                memory=str(memory),
                runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
            )
        else:
            kwargs.update(requiresCompatibilities=["EC2"], networkMode="bridge")
        arns.append(ecs.register_task_definition(**kwargs)["taskDefinition"]["taskDefinitionArn"])
    return arns


def register_instances(ec2: Any, ecs: Any, cluster: str, subnets: list[str], sg: str, count: int, region: str) -> None:
    for i in range(count):
        subnet = subnets[i % len(subnets)]
        instance = ec2.run_instances(
            ImageId=ECS_AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType="c5.xlarge",
            SubnetId=subnet,
            SecurityGroupIds=[sg],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"ecs-{cluster}-{i + 1}"}]}
            ],
        )["Instances"][0]
        document = {
            "accountId": ACCOUNT_ID,
            "architecture": "x86_64",
            "availabilityZone": instance["Placement"]["AvailabilityZone"],
            "imageId": ECS_AMI,
            "instanceId": instance["InstanceId"],
            "instanceType": "c5.xlarge",
            "privateIp": instance.get("PrivateIpAddress"),
            "region": region,
        }
        ecs.register_container_instance(
            cluster=cluster,
            instanceIdentityDocument=json.dumps(document),
            instanceIdentityDocumentSignature="c2lnbmF0dXJl",
        )


DEMO_SERVICES: list[ServiceSpec] = [
    ServiceSpec("prod", "api", "api", 8, "fargate", 8080, "prod-api", circuit_breaker=True, team="core", sidecar=True),
    ServiceSpec("prod", "web", "web", 10, "fargate", 8080, "prod-web", team="frontend", volumes=["shared-assets"]),
    ServiceSpec("prod", "checkout", "checkout", 4, "fargate", 8080, "prod-checkout", team="commerce", memory=1024),
    ServiceSpec(
        "prod", "payments", "payments", 4, "fargate", 8080, "prod-payments", "unhealthy-target", team="commerce"
    ),
    ServiceSpec("prod", "notifications", "notifications", 3, "fargate", team="messaging"),
    ServiceSpec("prod", "search", "search", 4, "fargate", 8080, "prod-search", team="discovery", cpu=512, memory=1024),
    ServiceSpec("prod", "auth", "auth", 3, "fargate", 8080, "prod-auth", team="identity", sidecar=True),
    ServiceSpec(
        "prod",
        "cart",
        "cart",
        3,
        "fargate",
        8080,
        "prod-cart",
        "bad-deploy",
        team="commerce",
        revisions=("v2.3.0", "v2.4.1", "v2.5.0-rc1"),
    ),
    ServiceSpec(
        "prod",
        "recommendations",
        "recommendations",
        2,
        "fargate",
        team="discovery",
        strategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}],
    ),
    ServiceSpec("batch", "worker", "worker", 10, "ec2", team="data", volumes=["docker-sock", "scratch"]),
    ServiceSpec("batch", "ingest", "ingest", 4, "ec2", 9000, "batch-ingest", team="data"),
    ServiceSpec("batch", "reports", "reports", 2, "ec2", team="data", cpu=512, memory=1024),
    ServiceSpec("batch", "image-resizer", "image-resizer", 4, "ec2", behaviour="oom", team="media"),
    ServiceSpec(
        "batch", "email-sender", "email-sender", 2, "ec2", behaviour="crash-loop", team="messaging", memory=256
    ),
    ServiceSpec(
        "staging",
        "api",
        "staging-api",
        2,
        "fargate",
        8080,
        "staging-api",
        team="core",
        revisions=("v1.5.0", "v1.6.0-beta.1"),
    ),
    ServiceSpec("staging", "web", "staging-web", 2, "ec2", 8080, "staging-web", team="frontend", launch_type="EC2"),
    ServiceSpec("staging", "worker", "staging-worker", 1, "fargate", team="data", launch_type="FARGATE"),
]


def _load_balancers(elbv2: Any, net: Network) -> dict[str, str]:
    """An ALB with path rules and an NLB; returns target group name -> ARN."""
    groups: dict[str, str] = {}
    for spec in DEMO_SERVICES:
        if not spec.target_group:
            continue
        if spec.kind == "fargate":
            tg = elbv2.create_target_group(
                Name=spec.target_group,
                Protocol="HTTP",
                Port=8080,
                VpcId=net.vpc_id,
                TargetType="ip",
                HealthCheckPath="/healthz",
                HealthCheckIntervalSeconds=15,
                HealthyThresholdCount=2,
                Matcher={"HttpCode": "200-299"},
            )
        elif spec.port == 9000:
            tg = elbv2.create_target_group(
                Name=spec.target_group, Protocol="TCP", Port=9000, VpcId=net.vpc_id, TargetType="instance"
            )
        else:
            tg = elbv2.create_target_group(
                Name=spec.target_group,
                Protocol="HTTP",
                Port=8080,
                VpcId=net.vpc_id,
                TargetType="instance",
                HealthCheckPath="/healthz",
            )
        groups[spec.target_group] = tg["TargetGroups"][0]["TargetGroupArn"]

    alb = elbv2.create_load_balancer(
        Name="prod-public",
        Subnets=net.public_subnets,
        SecurityGroups=[net.alb_sg],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["prod-web"]}],
    )["Listeners"][0]["ListenerArn"]
    rules = [
        ("prod-api", "/api/*"),
        ("prod-checkout", "/checkout/*"),
        ("prod-payments", "/payments/*"),
        ("prod-search", "/search/*"),
        ("prod-auth", "/auth/*"),
        ("prod-cart", "/cart/*"),
    ]
    for priority, (name, path) in enumerate(rules, start=10):
        elbv2.create_rule(
            ListenerArn=listener,
            Priority=priority,
            Conditions=[{"Field": "path-pattern", "Values": [path]}],
            Actions=[{"Type": "forward", "TargetGroupArn": groups[name]}],
        )
    staging = elbv2.create_load_balancer(
        Name="staging-internal",
        Subnets=net.private_subnets,
        SecurityGroups=[net.alb_sg],
        Scheme="internal",
        Type="application",
    )["LoadBalancers"][0]["LoadBalancerArn"]
    staging_listener = elbv2.create_listener(
        LoadBalancerArn=staging,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["staging-web"]}],
    )["Listeners"][0]["ListenerArn"]
    elbv2.create_rule(
        ListenerArn=staging_listener,
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": groups["staging-api"]}],
    )
    nlb = elbv2.create_load_balancer(
        Name="batch-ingest", Subnets=net.private_subnets, Scheme="internal", Type="network"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_listener(
        LoadBalancerArn=nlb,
        Protocol="TCP",
        Port=9000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["batch-ingest"]}],
    )
    return groups


def _trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed_roles(iam: Any, families: list[str]) -> None:
    """The roles the demo's task definitions name: ecsTaskExecutionRole (with AWS's managed policy, as the console
    makes it), a task role per family, and one role ECS tasks may not assume (the pickers leave it out).

    Their ids are put back into moto's random stream, as route_to_internet's are: every id drawn after them is
    the one it was before the demo had roles.
    """
    from moto.moto_api._internal import mock_random

    state = mock_random.getstate()
    try:
        iam.create_role(RoleName="ecsTaskExecutionRole", AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"))
        iam.attach_role_policy(
            RoleName="ecsTaskExecutionRole",
            PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        )
        for family in dict.fromkeys(families):
            iam.create_role(
                RoleName=f"{family}-task",
                AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com"),
                Description=f"What the {family} containers may call in AWS.",
            )
        iam.create_role(RoleName="ecsInstanceRole", AssumeRolePolicyDocument=_trust("ec2.amazonaws.com"))
        # What ECS Exec needs of a task role (all but one: the shell's readiness check has that to explain).
        grant_exec_channels(iam, [f"{family}-task" for family in dict.fromkeys(families)])
    finally:
        mock_random.setstate(state)


def seed_demo(endpoint_url: str, region: str = "us-east-1") -> None:
    """Three clusters (Fargate, EC2, mixed), 17 services, load balancers, and one service per demo behaviour."""
    ecs = client("ecs", endpoint_url, region)
    ec2 = client("ec2", endpoint_url, region)
    elbv2 = client("elbv2", endpoint_url, region)
    logs = client("logs", endpoint_url, region)
    net = make_network(ec2, region)

    ecs.create_cluster(
        clusterName="prod",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
            {"capacityProvider": "FARGATE_SPOT", "weight": 3},
        ],
        settings=[{"name": "containerInsights", "value": "enabled"}],
        tags=[{"key": "env", "value": "prod"}],
    )
    ecs.create_cluster(
        clusterName="batch",
        settings=[{"name": "containerInsights", "value": "disabled"}],
        tags=[{"key": "env", "value": "prod"}],
    )
    ecs.create_cluster(
        clusterName="staging",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        settings=[{"name": "containerInsights", "value": "enhanced"}],
        tags=[{"key": "env", "value": "staging"}],
    )
    register_instances(ec2, ecs, "batch", net.private_subnets, net.instance_sg, 4, region)
    register_instances(ec2, ecs, "staging", net.private_subnets, net.instance_sg, 2, region)
    groups = _load_balancers(elbv2, net)
    seed_roles(client("iam", endpoint_url, region), [spec.family for spec in DEMO_SERVICES])

    for spec in DEMO_SERVICES:
        revisions = register_revisions(ecs, spec, region)
        try:
            logs.create_log_group(logGroupName=f"/ecs/{spec.family}")
            logs.put_retention_policy(logGroupName=f"/ecs/{spec.family}", retentionInDays=30)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
        # A bad-deploy service runs its last good revision; start_bad_rollouts() ships the broken one.
        task_definition = revisions[-2] if spec.behaviour == "bad-deploy" else revisions[-1]
        create_service(ecs, spec, task_definition, net, groups)
    seed_capacity_group(ec2, client("autoscaling", endpoint_url, region), net.private_subnets, ECS_AMI)
    seed_demo_scaling(client("application-autoscaling", endpoint_url, region))
    seed_scheduled_tasks(endpoint_url, region)
    from ecstui.emulator.seed_region import SECOND_REGION, seed_second_region  # it imports this module

    if region != SECOND_REGION:
        seed_second_region(endpoint_url)


EVENTS_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/ecsEventsRole"


def seed_scheduled_tasks(endpoint_url: str, region: str = "us-east-1") -> None:
    """A nightly Scheduler schedule and a rate rule, both starting tasks in the batch cluster (the simulator fires
    them). The role they name is not created, so the schedule dialog offers to create it.

    moto's EventBridge draws from its seeded random stream (the event bus it makes on first use): the stream is
    put back afterwards, so that every id drawn after (the demo's tasks, which snapshots show) is what it was
    without these. The server is in this process whenever the stream matters (the demo, the tests)."""
    state = mock_random.getstate()
    try:
        _seed_scheduled_tasks(endpoint_url, region)
    finally:
        mock_random.setstate(state)


def _seed_scheduled_tasks(endpoint_url: str, region: str) -> None:
    ecs = client("ecs", endpoint_url, region)
    cluster = ecs.describe_clusters(clusters=["batch"])["clusters"][0]["clusterArn"]

    def latest(family: str) -> str:
        return str(ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["taskDefinitionArn"])

    client("scheduler", endpoint_url, region).create_schedule(
        Name="nightly-reports",
        Description="The reports of the day before, every night",
        ScheduleExpression="cron(0 2 * * ? *)",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": cluster,
            "RoleArn": EVENTS_ROLE,
            "EcsParameters": {"TaskDefinitionArn": latest("reports"), "TaskCount": 1, "LaunchType": "EC2"},
        },
    )
    events = client("events", endpoint_url, region)
    events.put_rule(Name="worker-drain-15m", ScheduleExpression="rate(15 minutes)", State="ENABLED")
    events.put_targets(
        Rule="worker-drain-15m",
        Targets=[
            {
                "Id": "batch-worker",
                "Arn": cluster,
                "RoleArn": EVENTS_ROLE,
                "EcsParameters": {"TaskDefinitionArn": latest("worker"), "TaskCount": 1, "LaunchType": "EC2"},
            }
        ],
    )


def create_service(ecs: Any, spec: ServiceSpec, task_definition: str, net: Network, groups: dict[str, str]) -> None:
    tags = [{"key": "team", "value": spec.team}, {"key": "env", "value": spec.cluster}]
    if spec.behaviour:
        tags.append({"key": BEHAVIOUR_TAG, "value": spec.behaviour})
    kwargs: dict[str, Any] = {
        "cluster": spec.cluster,
        "serviceName": spec.name,
        "taskDefinition": task_definition,
        "desiredCount": spec.desired,
        "tags": tags,
        "propagateTags": "SERVICE",
        "enableECSManagedTags": True,
        "deploymentConfiguration": {
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": spec.circuit_breaker, "rollback": spec.circuit_breaker},
        },
    }
    if spec.kind == "fargate":
        kwargs["networkConfiguration"] = {
            "awsvpcConfiguration": {
                "subnets": net.private_subnets,
                "securityGroups": [net.app_sg],
                "assignPublicIp": "DISABLED",
            }
        }
        kwargs["enableExecuteCommand"] = spec.team in ("core", "commerce")
    if spec.strategy:
        kwargs["capacityProviderStrategy"] = spec.strategy
    elif spec.launch_type:
        kwargs["launchType"] = spec.launch_type
    elif spec.kind == "ec2":
        kwargs["launchType"] = "EC2"
    if spec.target_group:
        kwargs["loadBalancers"] = [
            {"targetGroupArn": groups[spec.target_group], "containerName": spec.name, "containerPort": spec.port}
        ]
        kwargs["healthCheckGracePeriodSeconds"] = 60
    ecs.create_service(**kwargs)


def start_bad_rollouts(endpoint_url: str, region: str = "us-east-1") -> None:
    """Ship the broken revision to every bad-deploy service, so its deployment never stabilises."""
    ecs = client("ecs", endpoint_url, region)
    for spec in DEMO_SERVICES:
        if spec.behaviour == "bad-deploy":
            ecs.update_service(cluster=spec.cluster, service=spec.name, taskDefinition=spec.family)


def seed_scale(
    endpoint_url: str, region: str = "us-east-1", services: int = 39, tasks_in_one_service: int = 230
) -> None:
    """Cluster "scale-39": `services` services; "svc-00" wants `tasks_in_one_service` tasks, the rest 2 each."""
    ecs = client("ecs", endpoint_url, region)
    ec2 = client("ec2", endpoint_url, region)
    net = make_network(ec2, region, cidr="10.40.0.0/16", name="scale")
    ecs.create_cluster(clusterName="scale-39", settings=[{"name": "containerInsights", "value": "disabled"}])
    spec = ServiceSpec("scale-39", "svc", "scale-svc", 0, "fargate", 8080, revisions=("v3.1.0",))
    task_definition = register_revisions(ecs, spec, region)[-1]
    for i in range(services):
        ecs.create_service(
            cluster="scale-39",
            serviceName=f"svc-{i:02d}",
            taskDefinition=task_definition,
            desiredCount=tasks_in_one_service if i == 0 else 2,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": net.private_subnets, "securityGroups": [net.app_sg]}
            },
        )


LARGE_CLUSTER = "large-2000"


def seed_large(
    endpoint_url: str, region: str = "us-east-1", services: int = 2000, tasks: int = 5000, cluster: str = LARGE_CLUSTER
) -> None:
    """Cluster "large-2000": `services` Fargate services and `tasks` running tasks spread over them (benchmarks).

    Over HTTP, without the simulator: about 4 ms a service and 1 ms a task on moto, so 2,000 services and
    5,000 tasks take some 15 s. Services are named "svc-0000"...; tasks belong to every other service in
    turn, ten per RunTask call.
    """
    ecs = client("ecs", endpoint_url, region)
    ec2 = client("ec2", endpoint_url, region)
    net = make_network(ec2, region, cidr="10.60.0.0/16", name="large")
    ecs.create_cluster(clusterName=cluster, settings=[{"name": "containerInsights", "value": "disabled"}])
    spec = ServiceSpec(cluster, "svc", "large-svc", 0, "fargate", 8080, revisions=("v5.0.0",))
    task_definition = register_revisions(ecs, spec, region)[-1]
    network = {
        "awsvpcConfiguration": {
            "subnets": net.private_subnets,
            "securityGroups": [net.app_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    names = [f"svc-{i:04d}" for i in range(services)]
    per_service, extra = divmod(tasks, max(services, 1))
    for i, name in enumerate(names):
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=task_definition,
            desiredCount=per_service + (1 if i < extra else 0),
            launchType="FARGATE",
            networkConfiguration=network,
        )
    remaining, turn = tasks, 0
    while remaining > 0 and names:
        count = min(10, remaining)
        ecs.run_task(
            cluster=cluster,
            taskDefinition=task_definition,
            count=count,
            launchType="FARGATE",
            group=f"service:{names[turn % len(names)]}",
            startedBy="ecs-svc/bench",
            networkConfiguration=network,
        )
        remaining -= count
        turn += 2
