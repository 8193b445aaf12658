"""Checks of deploy/ that schemas cannot make: the Istio resources (no
schema for them ships offline) and the rules the deploy guide promises.

Usage: python check_manifests.py DEPLOY_DIR
Prints one line per problem and exits 1 if there is any.
"""

import pathlib
import sys

import yaml

root = pathlib.Path(sys.argv[1])
docs = []
for path in sorted(root.rglob("*.yaml")):
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            docs.append((path.relative_to(root), doc))

problems = []


def problem(path, doc, text):
    problems.append(f"{path}: {doc['kind']}/{doc['metadata']['name']}: {text}")


def of_kind(kind):
    return [(p, d) for p, d in docs if d["kind"] == kind]


services = {d["metadata"]["name"]: d for _, d in of_kind("Service")}
deployments = of_kind("Deployment")
budgets = of_kind("PodDisruptionBudget")
SERVER_GRACE = 10  # typerpc's Server::grace_period default, in seconds


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


for path, d in deployments:
    pod = d["spec"]["template"]
    labels = pod["metadata"]["labels"]
    annotations = pod["metadata"].get("annotations", {})
    spec = pod["spec"]
    if not selects(d["spec"]["selector"]["matchLabels"], labels):
        problem(path, d, "the selector does not select its own pods")
    if not any(selects(b["spec"]["selector"]["matchLabels"], labels) for _, b in budgets):
        problem(path, d, "no PodDisruptionBudget covers it")
    if not any(selects(s["spec"]["selector"], labels) for s in services.values()):
        problem(path, d, "no Service selects it")
    for c in spec["containers"]:
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        if not c.get("resources", {}).get("requests"):
            problem(path, d, f"container {c['name']} has no resource requests")
        for probe in ("livenessProbe", "readinessProbe"):
            if probe not in c:
                problem(path, d, f"container {c['name']} has no {probe}")
        kinds = {k for p in ("livenessProbe", "readinessProbe", "startupProbe") for k in c.get(p, {}) if k in ("grpc", "httpGet")}
        if kinds != {"grpc", "httpGet"}:
            problem(path, d, f"probes should use both the gRPC probe and HTTP, not {sorted(kinds)}")
        for p in ("livenessProbe", "readinessProbe", "startupProbe"):
            get = c.get(p, {}).get("httpGet")
            if get and get["path"] not in ("/healthz", "/ready"):
                problem(path, d, f"{p} asks {get['path']}, which typerpc does not answer")
            if get and get["port"] not in ports and get["port"] not in ports.values():
                problem(path, d, f"{p} names port {get['port']}, which the container lacks")
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        if "OTEL_EXPORTER_OTLP_ENDPOINT" not in env:
            problem(path, d, f"container {c['name']} has no OTEL_EXPORTER_OTLP_ENDPOINT")
        sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds")
        if sleep is None:
            problem(path, d, f"container {c['name']} has no preStop sleep")
        elif spec.get("terminationGracePeriodSeconds", 30) < sleep + SERVER_GRACE:
            problem(path, d, "terminationGracePeriodSeconds is shorter than preStop + the server's grace period")
        if annotations.get("prometheus.io/scrape") != "true":
            problem(path, d, "no Prometheus scrape annotation")
        elif int(annotations.get("prometheus.io/port", 0)) not in ports.values():
            problem(path, d, "the scrape port is not a port of the container")
        elif annotations.get("prometheus.io/path") != "/metrics":
            problem(path, d, "the scrape path is not /metrics")

# Istio: every route's weights add up to 100, every subset is defined by a
# DestinationRule for that host and selects some pods, every host is a
# Service.
rules = {d["spec"]["host"]: d for _, d in of_kind("DestinationRule")}
for path, d in of_kind("DestinationRule"):
    if d["spec"]["host"] not in services:
        problem(path, d, f"host {d['spec']['host']} is no Service")
    for subset in d["spec"].get("subsets", []):
        if not any(selects(subset["labels"], dep["spec"]["template"]["metadata"]["labels"]) for _, dep in deployments):
            problem(path, d, f"subset {subset['name']} selects no pods")
for path, d in of_kind("VirtualService"):
    for host in d["spec"]["hosts"]:
        if host not in services:
            problem(path, d, f"host {host} is no Service")
    for route in d["spec"]["http"]:
        total = sum(r.get("weight", 100) for r in route["route"])
        if total != 100:
            problem(path, d, f"weights add up to {total}, not 100")
        for r in route["route"]:
            dest = r["destination"]
            subsets = [s["name"] for s in rules.get(dest["host"], {}).get("spec", {}).get("subsets", [])]
            if dest.get("subset") and dest["subset"] not in subsets:
                problem(path, d, f"subset {dest['subset']} of {dest['host']} is in no DestinationRule")

for line in problems:
    print(line)
print(f"checked {len(docs)} resources")
sys.exit(1 if problems else 0)
