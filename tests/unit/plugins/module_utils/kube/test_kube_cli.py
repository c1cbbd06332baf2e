# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""``podlike kube``: the stack on stdout, the data in --data-dir, one line per error."""

import io
import os

import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.kube.cli import main as kube_main
from test_kube_stack import CONFIG_MAP, deployment, kube_service


def test_cli_prints_the_stack_and_writes_the_data(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    mounts = {"volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}]}
    text = yaml.safe_dump_all(
        [
            CONFIG_MAP,
            deployment(mounts, volumes=[{"name": "conf", "configMap": {"name": "conf"}}]),
            kube_service(nodePort=30080),
        ]
    )
    argv = ["--data-dir", str(tmp_path), "--publish-mode", "host", "--endpoint-mode", "dnsrr", "--name", "shop", "-"]
    assert kube_main(argv, stdin=io.StringIO(text), stdout=out, stderr=err) == 0, err.getvalue()
    stack = yaml.safe_load(out.getvalue())
    web = stack["services"]["web"]
    assert web["deploy"]["endpoint_mode"] == "dnsrr"
    assert web["ports"] == [{"target": 80, "published": 30080, "protocol": "tcp", "mode": "host"}]
    (entry,) = stack["configs"].values()
    assert entry["name"].startswith("shop_configmap.conf.a.conf-")
    with open(entry["file"]) as handle:
        assert handle.read() == "x=1\n"


def test_cli_errors_are_one_line_each(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(deployment({"securityContext": {"privileged": True}}, affinity={})))
    err = io.StringIO()
    assert kube_main([str(path)], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().splitlines() == [
        "podlike kube: error: Deployment/web: spec.template.spec.affinity: scheduling affinity has no Swarm "
        "equivalent; use nodeSelector (placement constraints)",
        "podlike kube: error: Deployment/web: spec.template.spec.containers[0].securityContext.privileged: "
        "privileged mode is not allowed (the pod policy refuses it)",
    ]
    err = io.StringIO()
    assert kube_main(["--lenient", str(path)], stdout=io.StringIO(), stderr=err) == 0
    assert len(err.getvalue().splitlines()) == 2 and "warning" in err.getvalue()
    err = io.StringIO()
    assert kube_main([str(tmp_path / "nope.yaml")], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().startswith("podlike kube: error: ") and "cannot read" in err.getvalue()


def test_cli_data_dir_is_literal_for_docker_stack_deploy(tmp_path):
    data_dir = tmp_path / "a$HOME"
    out, err = io.StringIO(), io.StringIO()
    mounts = {"volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}]}
    text = yaml.safe_dump_all(
        [CONFIG_MAP, deployment(mounts, volumes=[{"name": "conf", "configMap": {"name": "conf"}}])]
    )
    assert kube_main(["--data-dir", str(data_dir), "-"], stdin=io.StringIO(text), stdout=out, stderr=err) == 0
    (entry,) = yaml.safe_load(out.getvalue())["configs"].values()
    assert entry["file"].startswith(str(tmp_path) + "/a$$HOME/configmap.conf.a.conf-")
    assert os.listdir(data_dir) == [entry["file"].rsplit("/", 1)[1]]
