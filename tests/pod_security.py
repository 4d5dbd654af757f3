"""A check of a pod spec against the Pod Security Standards' "restricted" profile, for the tests.

Written from the published controls, https://kubernetes.io/docs/concepts/security/pod-security-standards/
(Kubernetes v1.30): the "restricted" profile is every "baseline" control plus its own. Each function
returns the violations found, as ``<field>: <why>``; an empty list means the pod would be admitted by
a namespace labelled ``pod-security.kubernetes.io/enforce: restricted``.
"""

from __future__ import annotations

from typing import Any

# Baseline, "Capabilities": what a container may add beyond the runtime's default set.
BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}  # fmt: skip
# Baseline, "Sysctls": the safe set.
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}  # fmt: skip
# Baseline, "SELinux": the types a pod may choose.
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
# Restricted, "Volume Types": the only volume sources allowed.
RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected",
    "secret",
}  # fmt: skip


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """Every control of the "restricted" profile (baseline included) that pod spec ``pod`` breaks."""
    context = pod.get("securityContext") or {}
    containers = [
        (f"{kind}[{index}]", container)
        for kind in ("containers", "initContainers", "ephemeralContainers")
        for index, container in enumerate(pod.get(kind) or [])
    ]
    found = _baseline_pod(pod, context) + _restricted_pod(pod)
    for where, container in containers:
        found += _baseline_container(where, container) + _restricted_container(where, container, context)
    return found


def _baseline_pod(pod: dict[str, Any], context: dict[str, Any]) -> list[str]:
    found = [f"spec.{key}: must be false" for key in ("hostNetwork", "hostPID", "hostIPC") if pod.get(key)]
    if (context.get("windowsOptions") or {}).get("hostProcess"):
        found.append("spec.securityContext.windowsOptions.hostProcess: must be false")
    found += [
        f"spec.volumes[{i}].hostPath: forbidden"
        for i, v in enumerate(pod.get("volumes") or [])
        if "hostPath" in v
    ]
    if (context.get("appArmorProfile") or {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
        found.append("spec.securityContext.appArmorProfile.type: RuntimeDefault or Localhost only")
    found += _selinux("spec.securityContext", context)
    if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
        found.append("spec.securityContext.seccompProfile.type: must not be Unconfined")
    found += [
        f"spec.securityContext.sysctls: {s.get('name')} is not in the safe set"
        for s in context.get("sysctls") or []
        if s.get("name") not in SAFE_SYSCTLS
    ]
    return found


def _baseline_container(where: str, container: dict[str, Any]) -> list[str]:
    context = container.get("securityContext") or {}
    found = []
    if context.get("privileged"):
        found.append(f"{where}.securityContext.privileged: must be false")
    if (context.get("windowsOptions") or {}).get("hostProcess"):
        found.append(f"{where}.securityContext.windowsOptions.hostProcess: must be false")
    added = set((context.get("capabilities") or {}).get("add") or [])
    found += [
        f"{where}.securityContext.capabilities.add: {c} is beyond the default set"
        for c in sorted(added - BASELINE_CAPABILITIES)
    ]
    found += [
        f"{where}.ports[{i}].hostPort: must be 0 or unset"
        for i, p in enumerate(container.get("ports") or [])
        if p.get("hostPort")
    ]
    if (context.get("appArmorProfile") or {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
        found.append(f"{where}.securityContext.appArmorProfile.type: RuntimeDefault or Localhost only")
    found += _selinux(f"{where}.securityContext", context)
    if context.get("procMount") not in (None, "Default"):
        found.append(f"{where}.securityContext.procMount: must be Default")
    if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
        found.append(f"{where}.securityContext.seccompProfile.type: must not be Unconfined")
    return found


def _selinux(where: str, context: dict[str, Any]) -> list[str]:
    options = context.get("seLinuxOptions") or {}
    found = []
    if options.get("type", "") not in SELINUX_TYPES:
        found.append(f"{where}.seLinuxOptions.type: {options['type']} is not allowed")
    found += [f"{where}.seLinuxOptions.{key}: must be unset" for key in ("user", "role") if options.get(key)]
    return found


def _restricted_pod(pod: dict[str, Any]) -> list[str]:
    return [
        f"spec.volumes[{index}]: {', '.join(sorted(set(volume) - {'name'}))} is not an allowed volume type"
        for index, volume in enumerate(pod.get("volumes") or [])
        if not set(volume) - {"name"} <= RESTRICTED_VOLUMES
    ]


def _restricted_container(where: str, container: dict[str, Any], pod_context: dict[str, Any]) -> list[str]:
    context = container.get("securityContext") or {}
    found = []
    # Privilege Escalation: allowPrivilegeEscalation must be false (unset is not enough).
    if context.get("allowPrivilegeEscalation") is not False:
        found.append(f"{where}.securityContext.allowPrivilegeEscalation: must be false")
    # Running as Non-root: true at the pod level, or in every container; a container may not set false.
    non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
    if non_root is not True:
        found.append(f"{where}: runAsNonRoot must be true (in the pod's or the container's securityContext)")
    # Running as Non-root user: runAsUser may not be 0, at either level.
    for level, ctx in (("spec.securityContext", pod_context), (f"{where}.securityContext", context)):
        if ctx.get("runAsUser") == 0:
            found.append(f"{level}.runAsUser: must not be 0")
    # Seccomp: RuntimeDefault or Localhost, at the pod level or in every container.
    profile = (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
    if profile not in ("RuntimeDefault", "Localhost"):
        found.append(f"{where}: seccompProfile.type must be RuntimeDefault or Localhost")
    # Capabilities: drop ALL, and add back NET_BIND_SERVICE at most.
    capabilities = context.get("capabilities") or {}
    if "ALL" not in (capabilities.get("drop") or []):
        found.append(f"{where}.securityContext.capabilities.drop: must include ALL")
    found += [
        f"{where}.securityContext.capabilities.add: only NET_BIND_SERVICE may be added, not {cap}"
        for cap in capabilities.get("add") or []
        if cap != "NET_BIND_SERVICE"
    ]
    return found
