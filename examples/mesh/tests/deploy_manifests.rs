//! Every manifest in `deploy/` validates against the Kubernetes schemas,
//! offline (`kubernetes-validate`, which ships them), strictly (no unknown
//! fields); the Istio resources, for which no schema ships, and the rules
//! the deploy guide promises (probes, PodDisruptionBudgets, a preStop
//! matched to graceful shutdown, scrape annotations, OTLP endpoint) are
//! checked by `check_manifests.py`. Skipped when the peer is missing,
//! except in CI, where that fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn peers_bin() -> Option<PathBuf> {
    let dir = std::env::var_os("TYPERPC_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/peers/venv/bin")
        });
    let found = dir.join("kubernetes-validate").is_file().then_some(dir);
    if found.is_none() {
        let message =
            "`kubernetes-validate` is not installed; run scripts/peers (scripts/test does)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            manifests(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

#[test]
fn every_manifest_validates_against_the_kubernetes_schemas() {
    let Some(bin) = peers_bin() else {
        return;
    };
    let mut files = Vec::new();
    manifests(&deploy_dir(), &mut files);
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let output = Command::new(bin.join("kubernetes-validate"))
        .arg("--strict")
        .args(&files)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{report}");
    let passed = report
        .lines()
        .filter(|l| l.starts_with("INFO") && l.contains(" passed "))
        .count();
    assert!(passed >= 10, "{report}");
    // The only resources without a schema are Istio's.
    for line in report.lines().filter(|l| !l.starts_with("INFO")) {
        assert!(
            line.starts_with("WARN") && line.contains("api version networking.istio.io/"),
            "{line}\n{report}"
        );
    }
}

#[test]
fn istio_routes_and_deploy_rules_hold() {
    let Some(bin) = peers_bin() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_manifests.py");
    let output = Command::new(bin.join("python"))
        .arg(script)
        .arg(deploy_dir())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{report}");
    assert!(report.contains("checked 12 resources"), "{report}");
}

#[test]
fn the_checks_catch_a_broken_manifest() {
    let Some(bin) = peers_bin() else {
        return;
    };
    // A copy of deploy/ with a canary split that no longer adds up and a
    // grace period shorter than the drain.
    let dir = std::env::temp_dir().join(format!("mesh-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("mesh")).unwrap();
    let mut files = Vec::new();
    manifests(&deploy_dir(), &mut files);
    for file in files {
        let relative = file.strip_prefix(deploy_dir()).unwrap();
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace("weight: 10 # the canary", "weight: 20")
            .replace(
                "terminationGracePeriodSeconds: 20",
                "terminationGracePeriodSeconds: 8",
            );
        std::fs::write(dir.join(relative), text).unwrap();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_manifests.py");
    let output = Command::new(bin.join("python"))
        .arg(script)
        .arg(&dir)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!output.status.success(), "{report}");
    assert!(
        report.contains("weights add up to 110, not 100"),
        "{report}"
    );
    assert!(
        report.contains("terminationGracePeriodSeconds is shorter"),
        "{report}"
    );
}
