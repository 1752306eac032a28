//! `vrt status --live`: each cluster's `api_addr` + `/v1/sys/replication/status` (and
//! `/v1/sys/health` for the version) over HTTPS, a few clusters at a time on plain threads.
//!
//! No token is sent and no Vault environment variable is read: the status and health
//! endpoints are unauthenticated (API-REPL; API-HEALTH), and `sys/` paths are answered by
//! the root namespace, so `VAULT_NAMESPACE` must not be applied. No proxy variable is
//! read either: vrt connects directly. Redirects are not followed (a standby answers the
//! status itself).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use super::capture;
use super::live::MAX_BODY_BYTES;
use super::{Observation, Observed};
use crate::graph::Topology;
use crate::ids::ClusterId;

/// How to ask the clusters.
#[derive(Clone, Debug)]
pub struct Options {
    /// The most time one request may take, connection and body included.
    pub timeout: Duration,
    /// How many clusters are asked at once.
    pub concurrency: usize,
}

/// The trust anchors: the certificates of a PEM file, or the system's.
pub fn roots(ca_file: Option<&Path>) -> Result<Vec<Certificate<'static>>, String> {
    match ca_file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read the CA file `{}`: {e}", path.display()))?;
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(&pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => certs.push(c.to_owned()),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(format!(
                            "the CA file `{}` is not valid PEM: {e}",
                            path.display()
                        ));
                    }
                }
            }
            if certs.is_empty() {
                return Err(format!(
                    "the CA file `{}` holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)",
                    path.display()
                ));
            }
            Ok(certs)
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let certs: Vec<Certificate<'static>> = found
                .certs
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned())
                .collect();
            if certs.is_empty() {
                let why = found
                    .errors
                    .first()
                    .map_or_else(String::new, |e| format!(" ({e})"));
                return Err(format!(
                    "no CA certificates were found in the system store{why}; give the CA of the clusters' API certificates with `--ca-file`"
                ));
            }
            Ok(certs)
        }
    }
}

/// Asks every cluster of `t`, trusting `roots`; one observation per cluster, in order.
pub fn fetch_all(
    t: &Topology,
    roots: Vec<Certificate<'static>>,
    options: &Options,
) -> Vec<Observed> {
    let tls = TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .https_only(true)
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .timeout_global(Some(options.timeout))
        .user_agent(concat!("vrt/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let ids: Vec<ClusterId> = t.cluster_ids().collect();
    let next = AtomicUsize::new(0);
    let workers = options.concurrency.clamp(1, ids.len().max(1));
    let mut results: Vec<(usize, Observed)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(c) = ids.get(i) else {
                            break;
                        };
                        done.push((i, fetch_one(&agent, t, *c, options.timeout)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            // A worker only panics on a bug; its clusters then show as unavailable below.
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(ids.len());
    let mut results = results.into_iter().peekable();
    for (i, c) in ids.iter().enumerate() {
        match results.next_if(|(j, _)| *j == i) {
            Some((_, o)) => out.push(o),
            None => out.push(Observed {
                origin: t.name(*c).to_string(),
                observation: Observation::Unavailable {
                    reason: "the request failed inside vrt".into(),
                    help: "run vrt again; report the problem if it persists".into(),
                },
            }),
        }
    }
    out
}

/// The status URL of a cluster, or why it has none.
pub fn status_url(t: &Topology, c: ClusterId) -> Result<String, (String, String)> {
    let Some(addr) = &t.cluster(c).api_addr else {
        return Err((
            "it declares no `api_addr` to ask".into(),
            "add `api_addr` to the cluster, or capture its status and use `--from DIR`".into(),
        ));
    };
    let addr = addr.get();
    if addr.scheme != "https" {
        return Err((
            format!(
                "its `api_addr` uses `{}`; `vrt status --live` asks over HTTPS only",
                addr.scheme
            ),
            "give the cluster's HTTPS `api_addr`, or capture its status and use `--from DIR`"
                .into(),
        ));
    }
    Ok(format!("https://{}:{}", addr.host, addr.port))
}

fn fetch_one(agent: &ureq::Agent, t: &Topology, c: ClusterId, timeout: Duration) -> Observed {
    let base = match status_url(t, c) {
        Ok(b) => b,
        Err((reason, help)) => {
            return Observed {
                origin: t.name(c).to_string(),
                observation: Observation::Unavailable { reason, help },
            };
        }
    };
    let url = format!("{base}/v1/sys/replication/status");
    let observation = match get(agent, &url, timeout) {
        Err(reason) => Observation::Unavailable {
            reason,
            help: "make the cluster reachable from where vrt runs (pass `--ca-file` for an internal CA, `--timeout` for a slow link), or capture its status and use `--from DIR`".into(),
        },
        Ok(bytes) => capture::observe(url.clone(), bytes, || {
            let health = format!("{base}/v1/sys/health");
            let bytes = get_any_status(agent, &health, timeout)?;
            let source = capture::body_source(health, bytes)
                .map_err(|(s, e)| capture::describe(&s, &e))?;
            super::live::parse_version(&source)
                .map(Some)
                .map_err(|e| capture::describe(&source, &e))
        }),
    };
    Observed {
        origin: url,
        observation,
    }
}

/// The body of a 200 answer.
fn get(agent: &ureq::Agent, url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| describe(&e, url, timeout))?;
    let status = response.status().as_u16();
    let body = read_body(&mut response, url, timeout);
    if status != 200 {
        let detail = body
            .ok()
            .and_then(|b| vault_errors(&b))
            .map_or_else(String::new, |e| format!(": `{e}`"));
        return Err(format!("`{url}` answered HTTP {status}{detail}"));
    }
    body
}

/// The body of any answer (`sys/health` answers 429, 472, 473, 503 ... with a body).
fn get_any_status(agent: &ureq::Agent, url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| describe(&e, url, timeout))?;
    read_body(&mut response, url, timeout)
}

fn read_body(
    response: &mut ureq::http::Response<ureq::Body>,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
        .map_err(|e| describe(&e, url, timeout))
}

/// Vault's `{"errors": [...]}`, joined and shortened.
fn vault_errors(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<String>,
    }
    let e: Errors = serde_json::from_slice(body).ok()?;
    let joined = e.errors.join("; ");
    Some(joined.chars().take(200).collect())
}

/// A failed request, in words.
fn describe(e: &ureq::Error, url: &str, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!(
            "`{url}` did not answer within {} s (`--timeout`)",
            timeout.as_secs_f64()
        ),
        ureq::Error::HostNotFound => format!("the host of `{url}` does not resolve"),
        ureq::Error::ConnectionFailed => format!("cannot connect to `{url}`"),
        ureq::Error::BodyExceedsLimit(_) => {
            format!(
                "`{url}` answered more than {MAX_BODY_BYTES} bytes, too much for a replication status"
            )
        }
        ureq::Error::Rustls(tls) => format!("TLS with `{url}` failed: {tls}"),
        // rustls reports a rejected certificate as an I/O error of the TLS stream.
        ureq::Error::Io(io) if io.to_string().contains("certificate") => format!(
            "TLS with `{url}` failed: {io} (the certificate must chain to a trusted CA, `--ca-file` or the system's, and name the host)"
        ),
        ureq::Error::Io(io) => format!("`{url}`: {io}"),
        other => format!("`{url}`: {other}"),
    }
}
