"""The Helm chart renders, lints and validates offline (helm-python-sdk, kubernetes-validate --strict),
and says what a government deployment needs: non-root, read-only root filesystem, requests and limits,
probes, secrets only by reference, pinned images, one worker Deployment per queue with its HPA and PDB."""

from pathlib import Path

import helm_python
import kubernetes_validate
import pytest
import yaml

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "motcua"
KUBE_VERSION = "1.33.0"
BASE = {"existingSecret": "motcua-secrets", "persistence": {"existingClaim": "motcua-files"}}


def render(values=None):
    with helm_python.Chart.load(str(CHART)) as chart:
        manifests = chart.render(values=values if values is not None else BASE, name="thaian", namespace="motcua")
    return [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]


def by_kind(objects, kind):
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_specs(objects):
    for o in objects:
        if o["kind"] in ("Deployment", "Job"):
            yield o["metadata"]["name"], o["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def objects():
    return render()


def test_lint_strict_finds_nothing_worse_than_info():
    report = helm_python.lint(str(CHART), BASE, strict=True)
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize(
    "values",
    [BASE, {**BASE, "objectStorage": {"enabled": True}, "persistence": {"existingClaim": ""}}],
    ids=["shared-volume", "object-storage"],
)
def test_every_rendered_object_validates_strictly(values):
    objects = render(values)
    assert len(objects) >= 15
    for obj in objects:
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_web_workers_beat_and_migrations(objects):
    deployments = by_kind(objects, "Deployment")
    assert set(deployments) == {
        "thaian-motcua-web",
        "thaian-motcua-beat",
        "thaian-motcua-worker-default",
        "thaian-motcua-worker-notifications",
        "thaian-motcua-worker-documents",
    }
    for queue in ("default", "notifications", "documents"):
        command = deployments[f"thaian-motcua-worker-{queue}"]["spec"]["template"]["spec"]["containers"][0]["command"]
        assert f"--queues={queue}" in command
    beat = deployments["thaian-motcua-beat"]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    hpas, pdbs = by_kind(objects, "HorizontalPodAutoscaler"), by_kind(objects, "PodDisruptionBudget")
    scaled = {name for name in deployments if name != "thaian-motcua-beat"}
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()} == scaled
    assert set(pdbs) == scaled
    job = by_kind(objects, "Job")["thaian-motcua-migrate"]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][-2:] == ["migrate", "--noinput"]
    web = deployments["thaian-motcua-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz/ready"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    ingress = by_kind(objects, "Ingress")["thaian-motcua"]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "thaian-motcua-web"


def test_every_pod_is_non_root_read_only_limited_and_pinned(objects):
    specs = dict(pod_specs(objects))
    assert len(specs) == 6
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"]
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            repository, tag = container["image"].rsplit(":", 1)
            assert tag and tag != "latest", name
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert {"/tmp", "/app/var"} <= mounts, name


def test_secrets_are_only_referenced_never_written(objects):
    assert by_kind(objects, "Secret") == {}
    for name, spec in pod_specs(objects):
        env = {e["name"]: e for e in spec["containers"][0]["env"]}
        for key in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BANK_WEBHOOK_SECRET"):
            assert "value" not in env[key], (name, key)
            assert env[key]["valueFrom"]["secretKeyRef"] == {"name": "motcua-secrets", "key": key}
        assert env["DATABASE_REPLICA_URL"]["valueFrom"]["secretKeyRef"]["optional"] is True


def test_external_services_come_from_values():
    objects = render(
        {
            **BASE,
            "clamd": {"host": "clamd.security.svc", "port": 3310},
            "objectStorage": {"enabled": True, "bucket": "hs-thaian", "endpoint": "https://s3.thaian.gov.vn"},
        }
    )
    env = {
        e["name"]: e.get("value")
        for e in by_kind(objects, "Deployment")["thaian-motcua-web"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["CLAMD_HOST"] == "clamd.security.svc" and env["PRIVATE_STORAGE_BUCKET"] == "hs-thaian"
    assert env["PRIVATE_STORAGE_ENDPOINT_URL"] == "https://s3.thaian.gov.vn"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"persistence": {"existingClaim": "motcua-files"}}, "existingSecret is required"),
        ({**BASE, "image": {"tag": "latest"}}, "must be pinned"),
        ({"existingSecret": "motcua-secrets"}, "persistence.existingClaim"),
    ],
    ids=["no-secret", "latest-tag", "files-nowhere"],
)
def test_a_deployment_that_would_be_unsafe_does_not_render(values, message):
    with pytest.raises(helm_python.HelmError, match=message):
        render(values)


def test_the_image_is_multi_stage_and_runs_unprivileged():
    dockerfile = (CHART.parents[2] / "Dockerfile").read_text()
    stages = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and stages[1].startswith("FROM python:3.11-slim-bookworm AS runtime")
    final = dockerfile.split(stages[1], 1)[1]
    user = [line.split()[1] for line in final.splitlines() if line.startswith("USER ")]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert "COPY --from=build /opt/venv /opt/venv" in final and "build-essential" not in final
