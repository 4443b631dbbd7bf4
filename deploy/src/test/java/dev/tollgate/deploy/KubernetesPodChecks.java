package dev.tollgate.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;

/**
 * What every service's pod must be, each check adding what is wrong to a list of problems: health probes that ask
 * the service's own endpoints on its port (Kubernetes restarts a pod whose liveness fails and sends no traffic to
 * one that is not ready, so a probe on the wrong port or path takes a healthy service down), requests and limits
 * (the autoscalers scale on the CPU request; without limits one pod can starve its node), and the hardening a
 * restricted Pod Security Standard asks for: non-root, RuntimeDefault seccomp, no privilege escalation, all
 * capabilities dropped, a read-only root filesystem with a writable emptyDir on /tmp.
 */
final class KubernetesPodChecks {

    private KubernetesPodChecks() {
    }

    /**
     * A pod that drains before it goes: a pre-stop pause (the endpoints forget the pod before it refuses requests)
     * and a grace period longer than that pause plus the service's own wait for requests in flight
     * ({@code quarkus.shutdown.timeout}), so the kubelet never kills a service that is still finishing streams.
     */
    static void drains(List<String> problems, String where, PodSpec pod, Container container, String timeout) {
        if (timeout == null || timeout.isBlank()) {
            problems.add(where + ": its service sets no quarkus.shutdown.timeout: it would exit at once on SIGTERM");
            return;
        }
        long waits = java.time.Duration.parse("PT" + timeout.trim().toUpperCase()).toSeconds();
        var preStop = container.getLifecycle() == null ? null : container.getLifecycle().getPreStop();
        long pause = 0;
        if (preStop == null || preStop.getExec() == null || preStop.getExec().getCommand().size() != 2
                || !"sleep".equals(preStop.getExec().getCommand().get(0))) {
            problems.add(where + ": needs a pre-stop pause (lifecycle.preStop.exec: sleep <seconds>)");
        } else {
            pause = Long.parseLong(preStop.getExec().getCommand().get(1));
        }
        Long grace = pod.getTerminationGracePeriodSeconds();
        if (grace == null || grace < pause + waits + 5) {
            problems.add(where + ": its terminationGracePeriodSeconds (" + grace + ") must exceed the pre-stop pause ("
                    + pause + " s) plus quarkus.shutdown.timeout (" + waits + " s) by at least 5 s");
        }
    }

    /** A probe over HTTP asking {@code path} on {@code port}. */
    static void probe(List<String> problems, String where, String kind, Probe probe, String path, int port) {
        HTTPGetAction get = probe == null ? null : probe.getHttpGet();
        if (get == null) {
            problems.add(where + ": has no " + kind + " probe over HTTP");
        } else if (!path.equals(get.getPath()) || !new IntOrString(port).equals(get.getPort())) {
            problems.add(where + ": its " + kind + " probe asks " + get.getPath() + " on port " + get.getPort()
                    + ", not " + path + " on " + port);
        }
    }

    /** A request and a limit of CPU and memory, the request no larger than the limit. */
    static void resources(List<String> problems, String where, ResourceRequirements resources) {
        for (String resource : List.of("cpu", "memory")) {
            Quantity request = resources == null ? null : resources.getRequests().get(resource);
            Quantity limit = resources == null ? null : resources.getLimits().get(resource);
            if (request == null || limit == null) {
                problems.add(where + ": needs a request and a limit of " + resource);
            } else if (request.getNumericalAmount().compareTo(limit.getNumericalAmount()) > 0) {
                problems.add(where + ": requests more " + resource + " (" + request + ") than its limit (" + limit
                        + ")");
            }
        }
    }

    /** The pod's and the container's security contexts, and the emptyDir on /tmp. */
    static void hardened(List<String> problems, String where, PodSpec pod, Container container) {
        PodSecurityContext podContext = pod.getSecurityContext();
        if (podContext == null || !Boolean.TRUE.equals(podContext.getRunAsNonRoot())) {
            problems.add(where + ": the pod must run as non-root (securityContext.runAsNonRoot)");
        }
        if (podContext == null || podContext.getSeccompProfile() == null
                || !"RuntimeDefault".equals(podContext.getSeccompProfile().getType())) {
            problems.add(where + ": the pod needs the RuntimeDefault seccomp profile");
        }
        SecurityContext context = container.getSecurityContext();
        if (context == null || !Boolean.TRUE.equals(context.getReadOnlyRootFilesystem())) {
            problems.add(where + ": the container's root filesystem must be read-only");
        }
        if (context == null || !Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())
                || Boolean.TRUE.equals(context.getPrivileged())) {
            problems.add(where + ": the container must not escalate privileges nor be privileged");
        }
        if (context == null || context.getCapabilities() == null
                || !context.getCapabilities().getDrop().contains("ALL")) {
            problems.add(where + ": the container must drop all capabilities");
        }
        VolumeMount tmp = container.getVolumeMounts().stream().filter(mount -> "/tmp".equals(mount.getMountPath()))
                .findFirst().orElse(null);
        Volume volume = tmp == null ? null
                : pod.getVolumes().stream()
                        .filter(candidate -> candidate.getName().equals(tmp.getName())).findFirst().orElse(null);
        if (volume == null || volume.getEmptyDir() == null || Boolean.TRUE.equals(tmp.getReadOnly())) {
            problems.add(where + ": needs a writable emptyDir on /tmp (the root filesystem is read-only)");
        }
    }
}
