"""Parsing ECS API dicts never fails on a missing, null or unexpected field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecstui.aws.parse import (
    cluster_from_api,
    container_instance_from_api,
    service_from_api,
    task_definition_from_api,
    task_from_api,
)

REGION_ACCOUNT = "us-east-1:123456789012"
TASK_ARN = f"arn:aws:ecs:{REGION_ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef"
TD_ARN = f"arn:aws:ecs:{REGION_ACCOUNT}:task-definition/web:7"


def test_an_empty_dict_parses_into_every_model() -> None:
    assert cluster_from_api({}).status == "UNKNOWN"
    assert service_from_api({}).desired == 0
    assert task_from_api({}).containers == ()
    assert task_definition_from_api({}).revision == 0
    assert container_instance_from_api({}).agent_connected is False


def test_names_come_from_the_arn_when_the_name_field_is_missing() -> None:
    assert cluster_from_api({"clusterArn": f"arn:aws:ecs:{REGION_ACCOUNT}:cluster/prod"}).name == "prod"
    assert service_from_api({"serviceArn": f"arn:aws:ecs:{REGION_ACCOUNT}:service/prod/web"}).name == "web"
    definition = task_definition_from_api({"taskDefinitionArn": TD_ARN})
    assert (definition.family, definition.revision, definition.label) == ("web", 7, "web:7")
    assert task_from_api({"taskArn": TASK_ARN}).id == "0123456789abcdef0123456789abcdef"


def test_unexpected_extra_keys_and_wrong_types_are_ignored() -> None:
    service = service_from_api(
        {
            "serviceArn": "arn:x:service/c/web",
            "serviceName": "web",
            "desiredCount": "not a number",
            "runningCount": None,
            "deployments": [None, "junk", {"id": "d-1", "status": "PRIMARY", "brandNewField": {"x": 1}}],
            "events": {"not": "a list"},
            "networkConfiguration": "junk",
            "someFutureField": [1, 2, 3],
        }
    )
    assert service.desired == 0 and service.running == 0
    assert [d.id for d in service.deployments] == ["d-1"]
    assert service.primary_deployment is not None
    assert service.events == () and service.network is None


def test_infinite_huge_and_boolean_numbers_are_treated_as_missing() -> None:
    service = service_from_api({"desiredCount": float("inf"), "runningCount": True, "createdAt": 10**30})
    assert (service.desired, service.running, service.created_at) == (0, 0, None)
    assert task_from_api({"containers": [{"exitCode": float("-inf")}]}).containers[0].exit_code is None


def test_a_full_service_parses_deployments_events_load_balancers_and_network() -> None:
    created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    service = service_from_api(
        {
            "serviceArn": "arn:x:service/prod/web",
            "serviceName": "web",
            "clusterArn": "arn:x:cluster/prod",
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 2,
            "pendingCount": 1,
            "taskDefinition": TD_ARN,
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 1}],
            "deployments": [
                {"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": TD_ARN, "rolloutState": "IN_PROGRESS"}
            ],
            "events": [{"id": "e1", "createdAt": created, "message": "(service web) has reached a steady state."}],
            "loadBalancers": [{"targetGroupArn": "arn:tg", "containerName": "app", "containerPort": 8080}],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ["subnet-1"],
                    "securityGroups": ["sg-1"],
                    "assignPublicIp": "ENABLED",
                }
            },
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
            "createdAt": created,
        }
    )
    assert service.task_definition == "web:7"
    assert service.capacity == "FARGATE_SPOT"
    assert service.rollout_state == "IN_PROGRESS"
    assert service.events[0].created_at == created
    assert service.load_balancers[0].container_port == 8080
    assert service.network is not None and service.network.assign_public_ip
    assert service.circuit_breaker is not None and service.circuit_breaker.enable


def test_secrets_keep_only_their_name_and_source() -> None:
    definition = task_definition_from_api(
        {
            "taskDefinitionArn": TD_ARN,
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "nginx",
                    "secrets": [
                        {
                            "name": "DB_PASSWORD",
                            "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:db",
                            "value": "x",
                        },
                        {"valueFrom": "arn:nameless"},
                    ],
                }
            ],
        }
    )
    (secret,) = definition.containers[0].secrets
    assert (secret.name, secret.value_from) == ("DB_PASSWORD", "arn:aws:secretsmanager:us-east-1:1:secret:db")
    assert not hasattr(secret, "value")


def test_a_task_definition_keeps_the_api_dict_as_raw_and_parses_its_containers() -> None:
    api: dict[str, Any] = {
        "taskDefinitionArn": TD_ARN,
        "family": "web",
        "revision": 7,
        "status": "ACTIVE",
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "requiresCompatibilities": ["FARGATE"],
        "registeredAt": "2025-01-02T03:04:05+00:00",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "portMappings": [{"containerPort": 80, "protocol": "tcp", "name": "http"}],
                "environment": [{"name": "MODE", "value": "prod"}, {"value": "nameless"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}},
                "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost"]},
                "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": True}],
            }
        ],
        "volumes": [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}, {"name": "scratch"}],
        "unknownFutureField": {"kept": True},
    }
    definition = task_definition_from_api(api)
    assert definition.raw is api
    assert definition.requires_compatibilities == ("FARGATE",)
    assert definition.registered_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    container = definition.containers[0]
    assert container.essential is True  # ECS's default when the field is absent
    assert container.port_mappings[0].container_port == 80
    assert container.environment == (("MODE", "prod"),)
    assert container.log_driver == "awslogs" and container.log_options == (("awslogs-group", "/ecs/web"),)
    assert container.health_check == ("CMD-SHELL", "curl -f localhost")
    assert container.mount_points[0].read_only
    assert [(v.name, v.kind, v.detail) for v in definition.volumes] == [
        ("data", "efs", "fs-1"),
        ("scratch", "bind mount", ""),
    ]


def test_an_awsvpc_task_takes_its_ip_eni_and_subnet_from_the_attachment() -> None:
    task = task_from_api(
        {
            "taskArn": TASK_ARN,
            "lastStatus": "RUNNING",
            "desiredStatus": "RUNNING",
            "group": "service:web",
            "attachments": [
                {
                    "type": "ElasticNetworkInterface",
                    "status": "ATTACHED",
                    "details": [
                        {"name": "subnetId", "value": "subnet-1"},
                        {"name": "networkInterfaceId", "value": "eni-1"},
                        {"name": "privateIPv4Address", "value": "10.0.1.5"},
                        {"name": "macAddress"},
                    ],
                }
            ],
            "containers": [{"name": "app", "networkInterfaces": [{"privateIpv4Address": "10.9.9.9"}]}],
        }
    )
    assert (task.private_ip, task.eni_id, task.subnet_id) == ("10.0.1.5", "eni-1", "subnet-1")
    assert task.public_ip is None
    assert task.service_name == "web"


def test_without_an_attachment_the_ip_comes_from_the_container_interface() -> None:
    task = task_from_api({"containers": [{"name": "app", "networkInterfaces": [{"privateIpv4Address": "10.0.0.7"}]}]})
    assert task.private_ip == "10.0.0.7" and task.eni_id is None


def test_a_bridge_task_has_its_port_bindings_from_network_bindings() -> None:
    task = task_from_api(
        {
            "taskArn": TASK_ARN,
            "startedAt": 1_700_000_000,
            "containers": [
                {
                    "name": "app",
                    "exitCode": 0,
                    "networkBindings": [
                        {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 32768, "protocol": "tcp"},
                        {"containerPortRange": "9000-9010"},
                    ],
                }
            ],
        }
    )
    bindings = task.containers[0].port_bindings
    assert (bindings[0].container_port, bindings[0].host_port, bindings[0].bind_ip) == (80, 32768, "0.0.0.0")
    assert bindings[1].container_port is None
    assert task.containers[0].exit_code == 0
    assert task.started_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)


def test_cluster_settings_statistics_and_tags() -> None:
    cluster = cluster_from_api(
        {
            "clusterArn": "arn:x:cluster/prod",
            "clusterName": "prod",
            "status": "ACTIVE",
            "activeServicesCount": 4,
            "runningTasksCount": 9,
            "registeredContainerInstancesCount": 2,
            "settings": [{"name": "containerInsights", "value": "enhanced"}],
            "tags": [{"key": "team", "value": "core"}],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}, {"weight": 2}],
        }
    )
    assert (cluster.active_services, cluster.running_tasks, cluster.container_instances) == (4, 9, 2)
    assert cluster.container_insights == "enhanced"
    assert cluster.tags == (("team", "core"),)
    assert [item.capacity_provider for item in cluster.default_strategy] == ["FARGATE"]


def test_container_instance_resources_and_attributes() -> None:
    instance = container_instance_from_api(
        {
            "containerInstanceArn": f"arn:aws:ecs:{REGION_ACCOUNT}:container-instance/prod/abc",
            "ec2InstanceId": "i-1",
            "status": "ACTIVE",
            "agentConnected": True,
            "registeredResources": [{"name": "CPU", "integerValue": 2048}, {"name": "MEMORY", "integerValue": 3900}],
            "remainingResources": [{"name": "CPU", "integerValue": 1024}],
            "attributes": [{"name": "ecs.instance-type", "value": "t3.medium"}, {"name": "ecs.availability-zone"}],
            "versionInfo": {"agentVersion": "1.80.0"},
        }
    )
    assert instance.id == "abc"
    assert (instance.registered_cpu, instance.registered_memory, instance.remaining_cpu) == (2048, 3900, 1024)
    assert instance.remaining_memory is None
    assert instance.instance_type == "t3.medium" and instance.availability_zone is None
    assert instance.agent_version == "1.80.0"


# Keys the parsers look for at any depth, so generated input reaches nested parsing, not just the top level.
API_KEYS = [
    "taskArn", "serviceArn", "clusterArn", "taskDefinitionArn", "containerInstanceArn", "containers", "deployments",
    "events", "attachments", "details", "type", "name", "value", "key", "containerDefinitions", "volumes", "settings",
    "tags", "registeredResources", "remainingResources", "integerValue", "attributes", "networkConfiguration",
    "awsvpcConfiguration", "deploymentConfiguration", "deploymentCircuitBreaker", "capacityProviderStrategy",
    "capacityProvider", "createdAt", "startedAt", "revision", "desiredCount", "versionInfo", "loadBalancers",
    "networkBindings", "networkInterfaces", "privateIpv4Address", "portMappings", "secrets", "environment",
    "logConfiguration", "options", "healthCheck", "command", "host", "sourcePath", "efsVolumeConfiguration",
    "mountPoints", "containerPort",
]  # fmt: skip
api_keys = st.sampled_from(API_KEYS) | st.text(max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(api_keys, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(st.dictionaries(api_keys, json_values, max_size=8))
def test_no_shape_of_input_makes_a_parser_raise(api: dict[str, Any]) -> None:
    cluster_from_api(api)
    service_from_api(api)
    task_from_api(api)
    task_definition_from_api(api)
    container_instance_from_api(api)
