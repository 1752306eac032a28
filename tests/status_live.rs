//! `vrt status --live` against local HTTPS servers started by the tests.
//!
//! A stand-in: Vault Enterprise replication cannot run here, so each cluster of
//! `examples/two-datacenters.yaml` is played by a small rustls server on 127.0.0.1 with a
//! certificate from a throwaway CA (made with rcgen per test run), serving the captured
//! bodies of `tests/fixtures/status/` at `/v1/sys/replication/status` and `/v1/sys/health`.
//! Others answer slowly, close the connection during the handshake, present a certificate
//! from another CA, or answer HTTP 500. Every server stops by itself after the test (or 30 s)
//! and serves at most a few dozen connections.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

mod common;

const EXAMPLE: &str = "examples/two-datacenters.yaml";
const CLUSTERS: [&str; 4] = ["primary-a", "dr-a", "perf-b", "dr-b"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A CA and a server configuration whose certificate it signed, for `localhost` and
/// 127.0.0.1; the CA in PEM.
fn pki() -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    (ca.pem(), Arc::new(config))
}

/// What a stand-in cluster does with a connection.
#[derive(Clone)]
enum Behaviour {
    /// Serves `DIR/<cluster>.json` and `DIR/<cluster>.health.json` (404 when absent).
    Serve(PathBuf, &'static str),
    /// Waits this long before answering.
    Slow(Duration),
    /// Closes the connection before the TLS handshake.
    Reset,
    /// Answers HTTP 500 with a Vault error body.
    Error500,
}

/// A running stand-in: its port, and the request heads it received.
struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

/// Stops every server of a test when dropped.
struct Stop(Arc<AtomicBool>);

impl Drop for Stop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn start(behaviour: Behaviour, config: Arc<rustls::ServerConfig>, stop: Arc<AtomicBool>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut served = 0;
        while !stop.load(Ordering::SeqCst) && Instant::now() < deadline && served < 50 {
            let Ok((tcp, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            served += 1;
            if matches!(behaviour, Behaviour::Reset) {
                drop(tcp);
                continue;
            }
            tcp.set_nonblocking(false).unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            seen.lock().unwrap().push(head.clone());
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let (status, body) = match &behaviour {
                Behaviour::Serve(dir, cluster) => {
                    let file = match path.as_str() {
                        "/v1/sys/replication/status" => format!("{cluster}.json"),
                        "/v1/sys/health" => format!("{cluster}.health.json"),
                        _ => String::new(),
                    };
                    // Captures without health files (older-shapes) get the healthy ones:
                    // a live cluster always answers `sys/health`.
                    let fallback = root().join("tests/fixtures/status/healthy").join(&file);
                    let fallback = if path == "/v1/sys/health" && !dir.join(&file).exists() {
                        fallback
                    } else {
                        dir.join(&file)
                    };
                    match std::fs::read(fallback) {
                        Ok(b) if path.starts_with("/v1/") => (200, b),
                        _ => (404, b"{\"errors\":[]}".to_vec()),
                    }
                }
                Behaviour::Slow(d) => {
                    std::thread::sleep(*d);
                    (200, b"{}".to_vec())
                }
                Behaviour::Error500 => (500, b"{\"errors\":[\"internal error\"]}".to_vec()),
                Behaviour::Reset => unreachable!("handled above"),
            };
            let _ = write!(
                tls,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = tls.write_all(&body);
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    Server { port, requests }
}

/// The example with each cluster's `api_addr` pointing at its stand-in.
fn topology(dir: &Path, ports: [u16; 4]) -> PathBuf {
    let mut text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    for (host, port) in [
        "vault.dc-a.corp.example.com:8200",
        "vault-dr.dc-a.corp.example.com:8200",
        "vault.dc-b.corp.example.com:8200",
        "vault-dr.dc-b.corp.example.com:8200",
    ]
    .iter()
    .zip(ports.iter())
    {
        let from = format!("api_addr: https://{host}");
        assert!(text.contains(&from));
        text = text.replace(&from, &format!("api_addr: https://localhost:{port}"));
    }
    let path = dir.join("topology.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn vrt(args: &[&str]) -> (i32, String, String) {
    vrt_env(args, &[])
}

fn vrt_env(args: &[&str], envs: &[(&str, &Path)]) -> (i32, String, String) {
    let out = common::vrt()
        .envs(envs.iter().copied())
        .env("VRT_TODAY", "2026-12-01")
        // Must not reach the requests: the endpoints need no token, and `sys/` is root-only.
        .env("VAULT_TOKEN", "s.secret-token-that-must-not-be-sent")
        .env("VAULT_NAMESPACE", "team-a")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .expect("vrt runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// (code, line) of the findings in the topology file, and the files of the others.
fn findings(json: &str, topology: &str) -> (Vec<(String, u64)>, Vec<String>) {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let mut local = Vec::new();
    let mut other = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap();
        if file == topology {
            local.push((
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            ));
        } else {
            other.push(format!("{file} {}", f["code"].as_str().unwrap()));
        }
    }
    local.sort();
    other.sort();
    (local, other)
}

#[test]
fn every_fixture_gives_the_same_findings_live_as_captured() {
    let (ca, config) = pki();
    let work = scratch("status-live-fixtures");
    let ca_file = work.join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/status"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 14);
    for dir in dirs {
        let stop = Arc::new(AtomicBool::new(false));
        let _guard = Stop(Arc::clone(&stop));
        let servers: Vec<Server> = CLUSTERS
            .iter()
            .map(|c| {
                start(
                    Behaviour::Serve(dir.clone(), c),
                    Arc::clone(&config),
                    Arc::clone(&stop),
                )
            })
            .collect();
        let ports = [
            servers[0].port,
            servers[1].port,
            servers[2].port,
            servers[3].port,
        ];
        let file = topology(&work, ports);
        let file = file.to_str().unwrap();
        let (_, live, err) = vrt(&[
            "status",
            file,
            "--live",
            "--ca-file",
            ca_file.to_str().unwrap(),
            "--format",
            "json",
        ]);
        // The same topology (same lines) compared with the captured files.
        let (_, captured, _) = vrt(&[
            "status",
            file,
            "--from",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let (live_local, live_other) = findings(&live, file);
        let (captured_local, captured_other) = findings(&captured, file);
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with("VRT511") {
            // Live, the missing capture is a 404.
            assert_eq!(live_local, captured_local, "{name}: {err}");
            let v: Value = serde_json::from_str(&live).unwrap();
            assert!(
                v["findings"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("HTTP 404"),
                "{live}"
            );
        } else {
            assert_eq!(live_local, captured_local, "{name}: {err}");
        }
        assert_eq!(
            live_other.len(),
            captured_other.len(),
            "{name}: {live_other:?}"
        );
        if name.starts_with("VRT5") && !name.starts_with("VRT512") {
            let code = &name[..6];
            assert!(
                live_local.iter().any(|(c, _)| c == code),
                "{name}: {live_local:?}"
            );
        }
        if name == "healthy" {
            assert!(live_local.is_empty(), "{live}");
        }
        for s in &servers {
            for head in s.requests.lock().unwrap().iter() {
                let lower = head.to_ascii_lowercase();
                assert!(!lower.contains("x-vault-token"), "{head}");
                assert!(!lower.contains("x-vault-namespace"), "{head}");
                assert!(!lower.contains("secret-token"), "{head}");
                assert!(
                    head.starts_with("GET /v1/sys/replication/status HTTP/1.1\r\n")
                        || head.starts_with("GET /v1/sys/health HTTP/1.1\r\n"),
                    "{head}"
                );
            }
        }
    }
}

#[test]
fn slow_reset_untrusted_and_failing_clusters_are_findings() {
    let (ca, config) = pki();
    let (_, other_config) = pki();
    let work = scratch("status-live-failures");
    let ca_file = work.join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let _guard = Stop(Arc::clone(&stop));
    let healthy = root().join("tests/fixtures/status/healthy");
    let servers = [
        start(
            Behaviour::Slow(Duration::from_secs(4)),
            Arc::clone(&config),
            Arc::clone(&stop),
        ),
        start(Behaviour::Reset, Arc::clone(&config), Arc::clone(&stop)),
        start(
            Behaviour::Serve(healthy, "perf-b"),
            other_config,
            Arc::clone(&stop),
        ),
        start(Behaviour::Error500, Arc::clone(&config), Arc::clone(&stop)),
    ];
    let ports = [
        servers[0].port,
        servers[1].port,
        servers[2].port,
        servers[3].port,
    ];
    let file = topology(&work, ports);
    let file = file.to_str().unwrap();
    let started = Instant::now();
    let (exit, out, err) = vrt(&[
        "status",
        file,
        "--live",
        "--ca-file",
        ca_file.to_str().unwrap(),
        "--timeout",
        "1",
        "--format",
        "json",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the timeout bounds the run"
    );
    assert_eq!(exit, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let by_cluster: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["code"], "VRT511", "{f}");
            let m = f["message"].as_str().unwrap().to_string();
            let cluster = m.split('`').nth(1).unwrap().to_string();
            (cluster, m)
        })
        .collect();
    let message = |c: &str| {
        by_cluster
            .iter()
            .find(|(n, _)| n == c)
            .map_or_else(|| panic!("no finding for {c}: {out}"), |(_, m)| m.clone())
    };
    assert!(
        message("primary-a").contains("did not answer within 1 s"),
        "{out}"
    );
    assert!(!message("dr-a").is_empty());
    assert!(message("perf-b").contains("TLS"), "{out}");
    assert!(
        message("perf-b")
            .to_ascii_lowercase()
            .contains("certificate"),
        "{out}"
    );
    assert!(
        message("dr-b").contains("HTTP 500: `internal error`"),
        "{out}"
    );
    assert_eq!(by_cluster.len(), 4, "{out}");
    let (_, human, _) = vrt(&[
        "status",
        file,
        "--live",
        "--ca-file",
        ca_file.to_str().unwrap(),
        "--timeout",
        "1",
    ]);
    assert!(
        human.contains("live status compared for 0 of 4 clusters (asked live)"),
        "{human}"
    );
}

#[test]
fn system_roots_are_used_without_ca_file_and_a_bad_ca_file_stops_the_run() {
    let (ca, config) = pki();
    let (other_ca, _) = pki();
    let work = scratch("status-live-roots");
    let stop = Arc::new(AtomicBool::new(false));
    let _guard = Stop(Arc::clone(&stop));
    let healthy = root().join("tests/fixtures/status/healthy");
    let servers: Vec<Server> = CLUSTERS
        .iter()
        .map(|c| {
            start(
                Behaviour::Serve(healthy.clone(), c),
                Arc::clone(&config),
                Arc::clone(&stop),
            )
        })
        .collect();
    let ports = [
        servers[0].port,
        servers[1].port,
        servers[2].port,
        servers[3].port,
    ];
    let file = topology(&work, ports);
    let file = file.to_str().unwrap();
    // rustls-native-certs reads the system store from SSL_CERT_FILE when it is set: a store
    // holding the servers' CA is trusted, one holding another CA is not, an empty one is an
    // error before any request.
    let store = work.join("system.pem");
    std::fs::write(&store, &ca).unwrap();
    let (exit, out, err) = vrt_env(&["status", file, "--live"], &[("SSL_CERT_FILE", &store)]);
    assert_eq!(exit, 0, "{out}{err}");
    assert!(
        out.contains("live status compared for 4 of 4 clusters"),
        "{out}"
    );
    std::fs::write(&store, &other_ca).unwrap();
    let (exit, out, err) = vrt_env(
        &["status", file, "--live", "--format", "json"],
        &[("SSL_CERT_FILE", &store)],
    );
    assert_eq!(exit, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["errors"], 4, "{out}");
    assert!(out.contains("TLS with `https://localhost:"), "{out}");
    std::fs::write(&store, "").unwrap();
    let empty_dir = work.join("certs");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let (exit, _, err) = vrt_env(
        &["status", file, "--live"],
        &[("SSL_CERT_FILE", &store), ("SSL_CERT_DIR", &empty_dir)],
    );
    assert_eq!(exit, 2);
    assert!(
        err.contains("no CA certificates were found in the system store"),
        "{err}"
    );
    let bad = work.join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let (exit, _, err) = vrt(&["status", file, "--live", "--ca-file", bad.to_str().unwrap()]);
    assert_eq!(exit, 2);
    assert!(err.contains("holds no PEM certificate"), "{err}");
    let (exit, _, err) = vrt(&["status", file, "--live", "--ca-file", "/nonexistent/ca.pem"]);
    assert_eq!(exit, 2);
    assert!(err.contains("cannot read the CA file"), "{err}");
}

#[test]
fn clusters_without_an_https_api_addr_or_that_refuse_are_findings() {
    let work = scratch("status-live-addresses");
    // Nothing listens on port 1 of the loopback address: the connection is refused.
    let mut text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    text = text.replace(
        "api_addr: https://vault.dc-a.corp.example.com:8200",
        "api_addr: https://127.0.0.1:1",
    );
    text = text.replace(
        "api_addr: https://vault-dr.dc-a.corp.example.com:8200",
        "api_addr: https://[::1]:1",
    );
    text = text.replace(
        "api_addr: https://vault.dc-b.corp.example.com:8200",
        "api_addr: http://127.0.0.1:1",
    );
    text = text.replace(
        "    api_addr: https://vault-dr.dc-b.corp.example.com:8200\n",
        "",
    );
    let file = work.join("topology.yaml");
    std::fs::write(&file, text).unwrap();
    let ca = work.join("ca.pem");
    std::fs::write(&ca, pki().0).unwrap();
    let (exit, out, err) = vrt(&[
        "status",
        file.to_str().unwrap(),
        "--live",
        "--ca-file",
        ca.to_str().unwrap(),
        "--timeout",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(exit, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["code"], "VRT511");
            f["message"].as_str().unwrap()
        })
        .collect();
    assert_eq!(messages.len(), 4, "{out}");
    assert!(
        messages[0].starts_with("no live status for `primary-a`: "),
        "{out}"
    );
    assert!(
        messages[1].starts_with("no live status for `dr-a`: "),
        "{out}"
    );
    assert!(
        messages[2].contains(
            "`perf-b`: its `api_addr` uses `http`; `vrt status --live` asks over HTTPS only"
        ),
        "{out}"
    );
    assert!(
        messages[3].contains("`dr-b`: it declares no `api_addr` to ask"),
        "{out}"
    );
}
