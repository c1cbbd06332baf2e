# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes manifests (Pod, Deployment, StatefulSet, DaemonSet, Service, ConfigMap, Secret,
PersistentVolumeClaim) translated into a pod stack that ``docker stack deploy`` runs.

Imports the shared modules of ``module_utils`` (PyYAML through ``yaml_text``), ``pod/`` and ``template/``; never the
engine, host/, stack/, controller/.
"""
