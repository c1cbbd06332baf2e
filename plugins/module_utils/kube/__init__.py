# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes manifests (Pod, Deployment, StatefulSet, DaemonSet, Service, ConfigMap, Secret,
PersistentVolumeClaim) translated into a pod stack that ``docker stack deploy`` runs.

Imports the standard library, PyYAML (through ``yaml_text``) and the pod core's value parsers; never ``ansible``.
"""
