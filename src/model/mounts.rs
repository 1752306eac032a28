//! The mounts, paths filters, storage and seals of a topology: their model types and their
//! resolution from the spec (a part of [`crate::model::build`]).

use std::collections::{BTreeMap, BTreeSet};

use super::{Builder, Names};
use crate::diag::Finding;
use crate::diag::structure as code;
use crate::ids::{ClusterId, MountId};
use crate::source::Span;
use crate::spec::{self, FilterMode, Role, SealType, Storage};
use crate::values::Cidr;
use crate::yaml::Sp;

/// A secrets engine or auth method mount.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Its path as written, ending in `/`.
    pub path: Sp<String>,
    /// Its type, when given.
    pub kind: Option<Sp<String>>,
    /// The cluster it is mounted on.
    pub cluster: Sp<ClusterId>,
    /// Whether it is local.
    pub local: bool,
    /// Span of `local`, or of the path when defaulted.
    pub local_span: Span,
    /// The regions its data may be stored in; `None` for anywhere.
    pub regions: Option<Sp<Vec<Sp<String>>>>,
}

impl Mount {
    /// Whether it is a PKI mount (certificates are stored locally even on a shared mount).
    pub fn is_pki(&self) -> bool {
        self.kind.as_ref().is_some_and(|k| k.as_str() == "pki")
    }

    /// Whether it is an auth method mount (`auth/…` path or type).
    pub fn is_auth(&self) -> bool {
        self.path.starts_with("auth/") || self.kind.as_ref().is_some_and(|k| k.starts_with("auth/"))
    }
}

/// A performance secondary's paths filter.
#[derive(Debug, Clone)]
pub struct PathsFilter {
    /// Its mode.
    pub mode: Sp<FilterMode>,
    /// Its paths (mount or namespace paths, each ending in `/`).
    pub paths: Sp<Vec<Sp<String>>>,
}

impl PathsFilter {
    /// Whether a mount at `path` replicates through this filter: a filter path matches the
    /// mount itself or the namespace that contains it.
    pub fn lets_through(&self, path: &str) -> bool {
        let listed = self.paths.iter().any(|p| covers(p, path));
        match self.mode.get() {
            FilterMode::Allow => listed,
            FilterMode::Deny => !listed,
        }
    }
}

/// Whether the filter path `filter` names the mount at `path` or a namespace containing it.
pub fn covers(filter: &str, path: &str) -> bool {
    path.starts_with(filter)
}

/// Whether `p` is shaped like a mount or namespace path: segments of letters, digits, `_`,
/// `.` and `-`, each followed by `/` (so no value can carry markup or control characters
/// into an output).
fn path_shaped(p: &str) -> bool {
    p.len() <= 512
        && p.ends_with('/')
        && p.split_terminator('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        })
}

/// How a cluster unseals.
#[derive(Debug, Clone)]
pub struct Seal {
    /// The seal type.
    pub kind: Sp<SealType>,
    /// Where the cluster's nodes reach the seal endpoint, when the file says.
    pub endpoint: Option<InfraEndpoint>,
}

/// A network endpoint outside Vault that a cluster's nodes dial: its seal endpoint, or the
/// Consul agents or servers of its storage.
#[derive(Debug, Clone)]
pub struct InfraEndpoint {
    /// Its address ranges (at least one).
    pub cidrs: Vec<Sp<Cidr>>,
    /// The TCP port, explicit or defaulted.
    pub port: u16,
}

/// The port an auto-unseal seal type listens on by default: 443 for the cloud KMS APIs,
/// the Vault API port for transit; `None` for `shamir` (no endpoint) and `pkcs11` (HSM
/// ports vary by vendor).
pub const fn default_seal_port(kind: SealType) -> Option<u16> {
    match kind {
        SealType::Awskms | SealType::Azurekeyvault | SealType::Gcpckms => Some(443),
        SealType::Transit => Some(8200),
        SealType::Shamir | SealType::Pkcs11 => None,
    }
}

/// Consul's HTTP API port, the default of Vault's `storage "consul"` `address`.
pub const CONSUL_HTTP_PORT: u16 = 8500;

/// A cluster's storage facts beyond the voter count.
#[derive(Debug, Clone)]
pub struct StorageFacts {
    /// The backend.
    pub storage: Storage,
    /// Span of `storage`, when written.
    pub storage_span: Option<Span>,
    /// Raft non-voters.
    pub non_voters: Option<Sp<u32>>,
    /// The seal.
    pub seal: Option<Seal>,
    /// Where Vault reaches Consul (Consul storage with `consul.cidrs` only).
    pub consul: Option<InfraEndpoint>,
    /// The paths filter (performance secondaries only).
    pub paths_filter: Option<PathsFilter>,
}

impl Builder {
    /// The voter count from `nodes` or its alias `voters` (one of the two).
    pub(super) fn voters(&mut self, c: &spec::ClusterSpec) -> Option<Sp<u32>> {
        let given = match (&c.nodes, &c.voters) {
            (Some(n), Some(v)) => {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        v.span(),
                        format!("cluster `{}` has both `nodes` and `voters`", c.name.get()),
                    )
                    .label("second voter count")
                    .related(n.span(), "`nodes` given here")
                    .help("keep one of them: `voters` is the clearer name for `nodes`"),
                );
                return None;
            }
            (Some(n), None) => (n, "nodes"),
            (None, Some(v)) => (v, "voters"),
            (None, None) => return None,
        };
        let (given, key) = given;
        match u32::try_from(*given.get()).ok().filter(|n| *n >= 1) {
            Some(v) => Some(Sp::new(v, given.span())),
            None => {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        given.span(),
                        format!(
                            "`{key}` is {}; a cluster has at least one node",
                            given.get()
                        ),
                    )
                    .help("give the number of Raft voters, such as 5"),
                );
                None
            }
        }
    }

    /// Storage, non-voters, seal and paths filter of one cluster.
    pub(super) fn storage_facts(&mut self, c: &spec::ClusterSpec) -> StorageFacts {
        let storage = c.storage.as_ref().map_or(Storage::Raft, |s| *s.get());
        let non_voters = c.non_voters.as_ref().and_then(|n| {
            if let Some(s) = c.storage.as_ref().filter(|s| *s.get() == Storage::Consul) {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        n.span(),
                        format!(
                            "cluster `{}` uses Consul storage, which has no Raft non-voters",
                            c.name.get()
                        ),
                    )
                    .related(s.span(), "Consul storage declared here")
                    .help("remove `non_voters`, or use `storage: raft`"),
                );
                return None;
            }
            match u32::try_from(*n.get()) {
                Ok(v) => Some(Sp::new(v, n.span())),
                Err(_) => {
                    self.error(
                        &code::INVALID_VALUE,
                        n.span(),
                        format!("`non_voters` is {}; give 0 or more", n.get()),
                    );
                    None
                }
            }
        });
        let seal = c.seal.as_ref().map(|s| self.seal(s));
        let consul = c.consul.as_ref().and_then(|k| self.consul(c, k));
        let paths_filter = c.paths_filter.as_ref().and_then(|f| {
            if *c.role.get() != Role::PerformanceSecondary {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        f.mode.span(),
                        format!(
                            "{} `{}` has a `paths_filter`",
                            c.role.get().as_str(),
                            c.name.get()
                        ),
                    )
                    .label("only performance secondaries have paths filters")
                    .related(c.role.span(), "role declared here")
                    .help("remove `paths_filter`, or make the cluster a `performance-secondary`"),
                );
                return None;
            }
            for p in f.paths.iter() {
                if !path_shaped(p) {
                    self.findings.push(
                        Finding::new(
                            &code::INVALID_VALUE,
                            p.span(),
                            format!(
                                "paths filter entry `{}` is not a mount or namespace path",
                                p.get()
                            ),
                        )
                        .help("write a path such as `secret-us/` or `ns1/`, ending in `/`"),
                    );
                }
            }
            Some(PathsFilter {
                mode: f.mode.clone(),
                paths: f.paths.clone(),
            })
        });
        StorageFacts {
            storage,
            storage_span: c.storage.as_ref().map(Sp::span),
            non_voters,
            seal,
            consul,
            paths_filter,
        }
    }

    fn seal(&mut self, s: &spec::SealSpec) -> Seal {
        let kind = *s.r#type.get();
        let cidrs = self.endpoint_cidrs(&s.cidrs, "seal");
        let port = s.port.as_ref().and_then(|p| self.port(p));
        if kind == SealType::Shamir {
            if let Some(span) = s
                .cidrs
                .first()
                .map(Sp::span)
                .or(s.port.as_ref().map(Sp::span))
            {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        span,
                        "a `shamir` seal has no endpoint to reach",
                    )
                    .related(s.r#type.span(), "seal type declared here")
                    .help("remove `cidrs` and `port`, or give the auto-unseal seal type the cluster uses"),
                );
            }
            return Seal {
                kind: s.r#type.clone(),
                endpoint: None,
            };
        }
        let endpoint = if s.cidrs.is_empty() {
            if let Some(p) = &s.port {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        p.span(),
                        "the seal endpoint has a `port` but no `cidrs`",
                    )
                    .label("no flow can be built from a port alone")
                    .help("add the endpoint's address ranges as `cidrs`, or remove `port`"),
                );
            }
            None
        } else {
            match port.or(default_seal_port(kind)) {
                Some(port) if !cidrs.is_empty() => Some(InfraEndpoint { cidrs, port }),
                Some(_) => None,
                None => {
                    if s.port.is_none() {
                        self.findings.push(
                            Finding::new(
                                &code::INVALID_VALUE,
                                s.r#type.span(),
                                format!(
                                    "a `{}` seal endpoint has `cidrs` but no `port`",
                                    kind.as_str()
                                ),
                            )
                            .label("HSM ports vary by vendor: vrt has no default")
                            .help("add the port the HSM's PKCS#11 client connects to, such as `port: 1792`"),
                        );
                    }
                    None
                }
            }
        };
        Seal {
            kind: s.r#type.clone(),
            endpoint,
        }
    }

    /// Where Vault reaches Consul; `consul` is only for Consul storage.
    fn consul(&mut self, c: &spec::ClusterSpec, k: &spec::ConsulSpec) -> Option<InfraEndpoint> {
        let consul_storage = c
            .storage
            .as_ref()
            .is_some_and(|s| *s.get() == Storage::Consul);
        let anchor = k
            .cidrs
            .first()
            .map(Sp::span)
            .or(k.port.as_ref().map(Sp::span));
        if !consul_storage {
            if let Some(span) = anchor {
                let mut f = Finding::new(
                    &code::INVALID_VALUE,
                    span,
                    format!(
                        "cluster `{}` has a `consul` endpoint but Integrated Storage",
                        c.name.get()
                    ),
                )
                .help("remove `consul`, or set `storage: consul`");
                if let Some(s) = &c.storage {
                    f = f.related(s.span(), "storage declared here");
                }
                self.findings.push(f);
            }
            return None;
        }
        let cidrs = self.endpoint_cidrs(&k.cidrs, "consul");
        let port = match &k.port {
            Some(p) => self.port(p)?,
            None => CONSUL_HTTP_PORT,
        };
        if k.cidrs.is_empty() {
            // An empty list has no span of its own: point at the port, else at `storage`.
            if let Some(span) = anchor.or(c.storage.as_ref().map(Sp::span)) {
                self.findings.push(
                    Finding::new(
                        &code::INVALID_VALUE,
                        span,
                        format!("`consul` of cluster `{}` has no `cidrs`", c.name.get()),
                    )
                    .help("give the address ranges of the Consul agents or servers Vault dials, or remove `consul` when Vault uses a local agent"),
                );
            }
            return None;
        }
        (!cidrs.is_empty()).then_some(InfraEndpoint { cidrs, port })
    }

    /// The `cidrs` of a seal or Consul endpoint; one that means every address would make
    /// `vrt firewall` open Vault's nodes to the whole address space on the endpoint's port.
    fn endpoint_cidrs(&mut self, cidrs: &[Sp<String>], key: &str) -> Vec<Sp<Cidr>> {
        let cidrs = self.cidrs(cidrs);
        let broad: Vec<Span> = cidrs
            .iter()
            .filter(|c| c.get().is_catch_all())
            .map(Sp::span)
            .collect();
        for span in &broad {
            self.findings.push(
                Finding::new(
                    &code::INVALID_VALUE,
                    *span,
                    format!("`{key}.cidrs` holds a network that means every address"),
                )
                .label("an allow rule to it would open every destination")
                .help(format!(
                    "give the endpoint's own address ranges, or remove `{key}.cidrs` when it is reached over a public endpoint the firewall does not filter"
                )),
            );
        }
        if broad.is_empty() { cidrs } else { Vec::new() }
    }

    fn port(&mut self, p: &Sp<i64>) -> Option<u16> {
        match crate::values::check_port(*p.get()) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(&code::INVALID_VALUE, p.span(), e);
                None
            }
        }
    }

    /// Resolves `mounts`; `regions` are the regions of the declared sites.
    pub(super) fn mounts(
        &mut self,
        mounts: &[spec::MountSpec],
        cluster_names: &Names<'_>,
        roles: &[Option<Role>],
        regions: &BTreeSet<&str>,
    ) -> Vec<Mount> {
        let mut seen: BTreeMap<(&str, Option<usize>), Span> = BTreeMap::new();
        mounts
            .iter()
            .filter_map(|m| {
                let path_ok = path_shaped(&m.path);
                if let Some(k) = &m.r#type
                    && (k.is_empty()
                        || k.len() > 64
                        || !k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '/')))
                {
                    self.findings.push(
                        Finding::new(&code::INVALID_VALUE, k.span(), "not a mount type")
                            .help("write the type as Vault names it, such as `kv`, `pki` or `auth/approle`"),
                    );
                }
                if !path_ok {
                    self.findings.push(
                        Finding::new(
                            &code::INVALID_VALUE,
                            m.path.span(),
                            format!("mount path `{}` is not a mount path", m.path.get()),
                        )
                        .help("write the path as Vault lists it, ending in `/`, such as `secret-eu/`"),
                    );
                }
                let cluster = cluster_names.resolve(&m.cluster, self);
                let local = m.local.as_ref().is_some_and(|l| *l.get());
                if let Some(i) = cluster {
                    // A local mount's path may repeat on other clusters; a shared one is
                    // unique in its replication set (keyed here without the cluster).
                    let key = (m.path.as_str(), local.then_some(i));
                    if let Some(first) = seen.get(&key) {
                        self.findings.push(
                            Finding::new(
                                &code::DUPLICATE_NAME,
                                m.path.span(),
                                format!("mount `{}` is declared twice", m.path.get()),
                            )
                            .label("second declaration")
                            .related(*first, "first declared here")
                            .help("remove one of the two, or give them different paths"),
                        );
                    } else {
                        seen.insert(key, m.path.span());
                    }
                    if !local && roles.get(i).copied().flatten().is_some_and(|r| r != Role::Primary) {
                        self.findings.push(
                            Finding::new(
                                &code::INVALID_VALUE,
                                m.cluster.span(),
                                format!(
                                    "shared mount `{}` is on `{}`, which is not a primary",
                                    m.path.get(),
                                    m.cluster.get()
                                ),
                            )
                            .label("a secondary's shared mounts come from its primary")
                            .help("declare the shared mount on the primary, or add `local: true` if it was enabled with `-local`"),
                        );
                    }
                }
                if let Some(rs) = &m.regions {
                    for r in rs.iter() {
                        if !regions.contains(r.as_str()) {
                            let known: Vec<String> = regions.iter().map(|r| format!("`{r}`")).collect();
                            self.findings.push(
                                Finding::new(
                                    &code::UNKNOWN_REFERENCE,
                                    r.span(),
                                    format!("unknown region `{}`", r.get()),
                                )
                                .label("no site is in this region")
                                .help(format!("use a region of the sites: {}", known.join(", "))),
                            );
                        }
                    }
                }
                Some(Mount {
                    path: m.path.clone(),
                    kind: m.r#type.clone(),
                    cluster: Sp::new(ClusterId(cluster?), m.cluster.span()),
                    local,
                    local_span: m.local.as_ref().map_or(m.path.span(), Sp::span),
                    regions: m.regions.clone(),
                })
            })
            .collect()
    }

    /// Resolves a client's mount paths against the declared mounts.
    pub(super) fn client_mounts(
        &mut self,
        paths: &[Sp<String>],
        mounts: &[Mount],
    ) -> Vec<Sp<Vec<MountId>>> {
        paths
            .iter()
            .filter_map(|p| {
                let ids: Vec<MountId> = mounts
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.path.as_str() == p.as_str())
                    .map(|(i, _)| MountId(i))
                    .collect();
                if ids.is_empty() {
                    let names = mounts.iter().map(|m| m.path.as_str());
                    let mut f = Finding::new(
                        &code::UNKNOWN_REFERENCE,
                        p.span(),
                        format!("unknown mount `{}`", p.get()),
                    )
                    .label("no mount has this path");
                    f = match self.closest(p, mounts.len(), names) {
                        Some(c) => f.help(format!("did you mean `{c}`?")),
                        None => f.help(format!(
                            "declare it under `mounts`: `- {{path: {}, cluster: <cluster>}}`",
                            p.get()
                        )),
                    };
                    self.findings.push(f);
                    return None;
                }
                Some(Sp::new(ids, p.span()))
            })
            .collect()
    }
}
