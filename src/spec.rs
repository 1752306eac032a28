//! The topology file's shape (format v1), mirroring the YAML one to one. Every value keeps
//! its span. The doc comments on these types are the format reference: they become the
//! descriptions of the JSON Schema (`vrt schema`).

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::yaml::Sp;

/// A vrt topology file (format v1): the sites, the Vault clusters and how they replicate,
/// the clients and services around them, and facts about the network.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vrt topology (format v1)")]
pub struct Spec {
    /// Format version; only `1` is accepted.
    #[schemars(range(min = 1, max = 1))]
    #[serde(deserialize_with = "crate::yaml::plain::int")]
    pub version: Sp<i64>,
    /// Name of the topology: lowercase letters, digits and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: Sp<String>,
    /// Free text describing the topology.
    #[serde(default)]
    pub description: Option<Sp<String>>,
    /// Data centers, cloud regions or availability domains that hold clusters and clients.
    /// At least one.
    #[schemars(length(min = 1))]
    pub sites: Sp<Vec<SiteSpec>>,
    /// The Vault clusters. At least one.
    #[schemars(length(min = 1))]
    pub clusters: Sp<Vec<ClusterSpec>>,
    /// Who talks to Vault: applications, CI runners, operators.
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    /// The secrets engines and auth methods that matter: where each is mounted, whether it is
    /// local, and where its data may be stored. `vrt mounts` shows which clusters hold each.
    #[serde(default)]
    pub mounts: Vec<MountSpec>,
    /// What Vault's secrets engines talk to (databases, LDAP, cloud APIs).
    #[serde(default)]
    pub external_services: Vec<ServiceSpec>,
    /// Facts about the network as it is today: firewall allow rules and DNS resolution.
    #[serde(default)]
    pub network: Option<NetworkSpec>,
    /// Suppressions: findings the team has reviewed and accepted, each with a reason and
    /// optionally an expiry date. vrt reports entries without a reason, expired entries,
    /// entries that suppress nothing, and entries naming a rule that cannot be suppressed.
    #[serde(default)]
    pub ignore: Vec<IgnoreSpec>,
}

/// A site: a data center, cloud region or other failure domain.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Unique site name: lowercase letters, digits and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: Sp<String>,
    /// Region the site belongs to; sites in one region fail together. Defaults to the site's
    /// name.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub region: Option<Sp<String>>,
    /// Where the site runs. Default `on-prem`.
    #[serde(default)]
    pub provider: Option<Sp<Provider>>,
    /// Production or non-production. Default `production`.
    #[serde(default)]
    pub environment: Option<Sp<Environment>>,
    /// Availability zones or racks of the site.
    #[serde(default)]
    pub zones: Vec<Sp<String>>,
    /// Address space of the site, as CIDRs (`10.10.0.0/16`); firewall output is generated
    /// from it.
    #[serde(default)]
    pub cidrs: Vec<Sp<String>>,
}

/// Where a site runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// An on-premises data center.
    OnPrem,
    /// A VMware data center.
    Vmware,
    /// Amazon Web Services.
    Aws,
    /// Microsoft Azure.
    Azure,
    /// Google Cloud.
    Gcp,
    /// Anything else.
    Other,
}

/// Whether a site holds production data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    /// Production (the default).
    Production,
    /// Development, QA, staging, sandbox.
    NonProduction,
}

/// A Vault Enterprise cluster.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    /// Unique cluster name: lowercase letters, digits and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: Sp<String>,
    /// The site the cluster runs in.
    pub site: Sp<String>,
    /// The cluster's replication role.
    pub role: Sp<Role>,
    /// The cluster this one replicates from: required for `performance-secondary` and
    /// `dr-secondary`, forbidden for `primary`.
    #[serde(default)]
    pub replicates_from: Option<Sp<String>>,
    /// The API address advertised to clients and peers (`https://host:8200`); default port
    /// 8200.
    #[serde(default)]
    pub api_addr: Option<Sp<String>>,
    /// The cluster address for replication, Raft and request forwarding
    /// (`https://host:8201`); default port 8201.
    #[serde(default)]
    pub cluster_addr: Option<Sp<String>>,
    /// Vault version as `vault version` reports it: `1.17.3`, `v1.17.3`, `1.17` or a release
    /// candidate `1.17.0-rc1` (also `-alpha1`, `-beta2`), optionally with the build of a Vault
    /// Enterprise binary: `+ent`, `+ent.hsm`, `+ent.fips1402`, `+ent.hsm.fips1402`,
    /// `+ent.fips1403`, `+ent.hsm.fips1403`, or before Vault 1.10 `+prem`, `+prem.hsm`, `+pro`.
    /// Nothing else: no other suffix, space or line break.
    #[serde(default)]
    #[schemars(schema_with = "version_schema")]
    pub version: Option<Sp<String>>,
    /// Number of Raft voters.
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_int")]
    #[schemars(range(min = 1))]
    pub nodes: Option<Sp<i64>>,
    /// Number of Raft voters: a clearer name for `nodes`; give one of the two.
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_int")]
    #[schemars(range(min = 1))]
    pub voters: Option<Sp<i64>>,
    /// Number of Raft non-voters (nodes that hold the data and serve reads but do not vote;
    /// with redundancy zones, Autopilot promotes one when a zone's voter fails). Default 0.
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_int")]
    #[schemars(range(min = 0))]
    pub non_voters: Option<Sp<i64>>,
    /// The storage backend. Default `raft` (Integrated Storage).
    #[serde(default)]
    pub storage: Option<Sp<Storage>>,
    /// How the cluster unseals. Default `shamir` (key shares, no endpoint).
    #[serde(default)]
    pub seal: Option<SealSpec>,
    /// Where the cluster reaches Consul (only with `storage: consul`). Default: a Consul
    /// agent on each Vault node, which adds no network flow.
    #[serde(default)]
    pub consul: Option<ConsulSpec>,
    /// Performance secondaries only: which mounts and namespaces of the primary replicate
    /// to this cluster (set on the primary with
    /// `sys/replication/performance/primary/paths-filter/:id`).
    #[serde(default)]
    pub paths_filter: Option<PathsFilterSpec>,
    /// Zones of its site the cluster's nodes are spread over.
    #[serde(default)]
    pub zones: Vec<Sp<String>>,
    /// Address ranges of the cluster's nodes; they narrow the site's `cidrs`.
    #[serde(default)]
    pub cidrs: Vec<Sp<String>>,
    /// The load balancer in front of the cluster.
    #[serde(default)]
    pub load_balancer: Option<LoadBalancerSpec>,
    /// How the cluster is activated as a secondary (`secondary/enable`, and `update-primary`
    /// with a token): `wrapped-token` (the default) unwraps the activation token on the
    /// primary's API, so the secondary needs the primary's API port; `public-key` uses
    /// `generate-public-key` and `secondary_public_key`, with no API call to the primary.
    /// On a primary it is the method used when it rejoins as a DR secondary (failback).
    #[serde(default)]
    pub activation: Option<Sp<Activation>>,
    /// Production or non-production; overrides the environment of the cluster's site (a QA
    /// cluster may run in a production data center). A cluster is never promoted in place
    /// of, nor takes the clients of, a cluster of another environment.
    #[serde(default)]
    pub environment: Option<Sp<Environment>>,
    /// The operator's preferred successor when this cluster is lost: a cluster that could
    /// take over from it (a DR secondary of it, or for a primary without a DR secondary a
    /// performance secondary of it, of the same environment). Any other name is an error
    /// (VRT305).
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub failover_to: Option<Sp<String>>,
}

/// How a secondary receives its activation token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// A response-wrapped token, unwrapped on the primary's API port (the default).
    #[default]
    WrappedToken,
    /// A token encrypted for the secondary's public key (`secondary_public_key`); the
    /// secondary makes no API call to the primary.
    PublicKey,
}

impl Activation {
    /// The method as written in the file.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WrappedToken => "wrapped-token",
            Self::PublicKey => "public-key",
        }
    }
}

/// The schema of a cluster's `version`: the pattern is the one `Version::parse` implements.
fn version_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["string", "null"],
        "pattern": crate::values::version_pattern(),
    })
}

/// A cluster's replication role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The performance (and DR) primary: the one cluster that writes replicated data.
    Primary,
    /// Serves clients locally with the primary's data; keeps its own tokens and leases.
    PerformanceSecondary,
    /// A warm standby holding its upstream's data, tokens and leases; serves no clients.
    DrSecondary,
}

impl Role {
    /// The role as written in the file.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::PerformanceSecondary => "performance-secondary",
            Self::DrSecondary => "dr-secondary",
        }
    }
}

/// The load balancer in front of a cluster.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerSpec {
    /// DNS name or IP address of the load balancer.
    pub address: Sp<String>,
    /// What the load balancer does with the cluster port (8201). Default `none`.
    #[serde(default)]
    pub cluster_port: Option<Sp<ClusterPort>>,
    /// The load balancer's own addresses (virtual IPs and the addresses it forwards from), as
    /// CIDRs; firewall output uses them. Default: `address` when it is an IP, otherwise the
    /// cluster's `cidrs` (or its site's).
    #[serde(default)]
    pub cidrs: Vec<Sp<String>>,
}

/// How a load balancer handles the cluster port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterPort {
    /// The load balancer does not carry the cluster port; peers dial `cluster_addr`.
    None,
    /// TCP pass-through to the active node (the supported way).
    Passthrough,
    /// TLS terminated at the load balancer (breaks replication's mutual TLS).
    TerminateTls,
}

/// A group of clients of Vault.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Unique client name.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: Sp<String>,
    /// The site the clients run in.
    pub site: Sp<String>,
    /// The cluster they use.
    pub cluster: Sp<String>,
    /// Their address ranges.
    #[serde(default)]
    pub cidrs: Vec<Sp<String>>,
    /// The cluster these clients move to when their cluster is lost and no DR secondary of
    /// it survives, when that cluster survives and serves the same replication set in the
    /// same environment; otherwise vrt chooses as usual.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub fallback: Option<Sp<String>>,
    /// Mount paths they use (`secret-eu/`); each names a mount of `mounts`.
    #[serde(default)]
    pub mounts: Vec<Sp<String>>,
}

/// A secrets engine or auth method mount.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MountSpec {
    /// The mount path, ending in `/` (`secret-eu/`, `auth/approle/`); in a namespace,
    /// prefixed by it (`ns1/secret-eu/`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$"))]
    pub path: Sp<String>,
    /// The engine or method type, such as `kv`, `pki`, `database`, `transit` or
    /// `auth/approle`. PKI certificates stay on the cluster that issued them even on a
    /// shared mount.
    #[serde(default)]
    pub r#type: Option<Sp<String>>,
    /// Where it is mounted: a `primary` for a shared mount, any cluster for a local one.
    pub cluster: Sp<String>,
    /// Whether the mount is local (`vault secrets enable -local`): its data stays on its
    /// cluster and that cluster's DR secondaries. Default `false` (shared: replicated to the
    /// performance secondaries its paths filters let it through to).
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_bool")]
    pub local: Option<Sp<bool>>,
    /// Data residency: the regions (of `sites`) where the mount's data may be stored. vrt
    /// reports every cluster outside them that holds the data. Default: anywhere.
    #[serde(default)]
    pub regions: Option<Sp<Vec<Sp<String>>>>,
}

/// A performance secondary's paths filter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathsFilterSpec {
    /// `allow`: only the listed paths replicate; `deny`: all but the listed paths replicate.
    pub mode: Sp<FilterMode>,
    /// Mount paths (`secret-us/`) and namespace paths (`ns1/`), each ending in `/`.
    pub paths: Sp<Vec<Sp<String>>>,
}

/// The mode of a paths filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FilterMode {
    /// Only the listed paths replicate.
    Allow,
    /// Every path but the listed ones replicates.
    Deny,
}

impl FilterMode {
    /// The mode as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }
}

/// A cluster's storage backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    /// Integrated Storage (Raft) on the Vault nodes (the default).
    Raft,
    /// A Consul cluster; the Raft voter rules do not apply, and `consul` says where Vault
    /// reaches it.
    Consul,
}

/// How a cluster unseals, and where its seal endpoint is.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SealSpec {
    /// The seal type.
    pub r#type: Sp<SealType>,
    /// Address ranges of the seal endpoint as the cluster's nodes reach it: a KMS VPC or
    /// private endpoint, the transit cluster's nodes or load balancer, the HSM's network
    /// address. With them, `vrt ports` and `vrt firewall` add the flow from the cluster's
    /// nodes to the endpoint, and VRT201 checks it against `network.firewall`. Not for
    /// `shamir`, which has no endpoint.
    #[serde(default)]
    pub cidrs: Vec<Sp<String>>,
    /// The TCP port of the seal endpoint. Default 443 for `awskms`, `azurekeyvault` and
    /// `gcpckms`, 8200 for `transit`; `pkcs11` has no default (HSM ports vary by vendor)
    /// and needs it when `cidrs` are given. Only with `cidrs`.
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_int")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<Sp<i64>>,
}

/// Where a cluster with Consul storage reaches Consul, when it is not a Consul agent on
/// each Vault node (the default `127.0.0.1:8500` of Vault's `storage "consul"` stanza).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsulSpec {
    /// Address ranges of the Consul agents or servers that Vault's `storage "consul"`
    /// `address` points at. With them, `vrt ports` and `vrt firewall` add the flow from the
    /// cluster's nodes to Consul's HTTP API. Omit them when Vault talks to a Consul agent
    /// on its own node: that traffic stays on the node, and the agent's own ports (server
    /// RPC 8300, LAN gossip 8301) are Consul's to open.
    pub cidrs: Vec<Sp<String>>,
    /// The port of Consul's HTTP API that Vault uses. Default 8500; 8501 is the usual
    /// HTTPS port (`scheme = "https"`).
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_int")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<Sp<i64>>,
}

/// A seal type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SealType {
    /// Shamir key shares (the default; no endpoint).
    Shamir,
    /// AWS KMS auto-unseal.
    Awskms,
    /// Azure Key Vault auto-unseal.
    Azurekeyvault,
    /// Google Cloud KMS auto-unseal.
    Gcpckms,
    /// Transit auto-unseal through another Vault cluster.
    Transit,
    /// An HSM over PKCS#11.
    Pkcs11,
}

impl SealType {
    /// The type as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Shamir => "shamir",
            Self::Awskms => "awskms",
            Self::Azurekeyvault => "azurekeyvault",
            Self::Gcpckms => "gcpckms",
            Self::Transit => "transit",
            Self::Pkcs11 => "pkcs11",
        }
    }
}

/// A service that Vault's secrets engines or auth methods talk to.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Unique service name.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: Sp<String>,
    /// The site it runs in.
    pub site: Sp<String>,
    /// The TCP port Vault connects to.
    #[schemars(range(min = 1, max = 65535))]
    #[serde(deserialize_with = "crate::yaml::plain::int")]
    pub port: Sp<i64>,
    /// Its addresses.
    #[serde(default)]
    pub cidrs: Vec<Sp<String>>,
    /// The clusters that connect to it.
    #[serde(default)]
    pub used_by: Vec<Sp<String>>,
}

/// Facts about the network as it is today.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Declared firewall allow rules.
    #[serde(default)]
    pub firewall: Option<Sp<Vec<FirewallRuleSpec>>>,
    /// What each site's resolvers can resolve.
    #[serde(default)]
    pub dns: Option<Sp<Vec<DnsSpec>>>,
}

/// A firewall allow rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallRuleSpec {
    /// Unique rule name.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: Sp<String>,
    /// Source: a site, cluster, client or external service name, a CIDR, or `any`.
    pub from: Sp<String>,
    /// Destination: a site, cluster, client or external service name, a CIDR, or `any`.
    pub to: Sp<String>,
    /// Ports allowed: numbers or `"from-to"` ranges.
    #[schemars(length(min = 1))]
    pub ports: Sp<Vec<Sp<PortSpec>>>,
    /// Protocol. Default `tcp`.
    #[serde(default)]
    pub protocol: Option<Sp<Protocol>>,
    /// Whether the rule also allows the reverse direction. Default `false`.
    #[serde(default, deserialize_with = "crate::yaml::plain::opt_bool")]
    pub bidirectional: Option<Sp<bool>>,
}

/// A port or port range in a firewall rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    /// A single port.
    Number(i64),
    /// A range `"from-to"`, such as `"8200-8201"`.
    Range(String),
}

impl JsonSchema for PortSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortSpec".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port (1–65535) or a range \"from-to\", such as \"8200-8201\".",
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": 65535},
                {"type": "string", "pattern": "^[0-9]{1,5}(-[0-9]{1,5})?$"}
            ]
        })
    }
}

impl<'de> Deserialize<'de> for PortSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = PortSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port number or a range such as \"8200-8201\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PortSpec, E> {
                Ok(PortSpec::Number(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PortSpec, E> {
                Ok(PortSpec::Number(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PortSpec, E> {
                Ok(PortSpec::Range(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// TCP (everything Vault uses).
    Tcp,
    /// UDP.
    Udp,
}

impl Protocol {
    /// The protocol as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
        }
    }
}

/// What one site's resolvers can resolve.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsSpec {
    /// The site.
    pub site: Sp<String>,
    /// DNS suffixes the site's resolvers answer for (`dc-a.example.com` covers
    /// `vault.dc-a.example.com`).
    pub resolves: Vec<Sp<String>>,
}

/// A suppression: the findings of `rule` (about `cluster`, when given) are accepted and not
/// reported, until `until` if given.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreSpec {
    /// The rule, by code (`VRT101`) or name (`missing-dr-secondary`). Rules whose violation
    /// breaks replication outright cannot be suppressed; `vrt explain` says which.
    pub rule: Sp<String>,
    /// Suppress only the findings about this cluster. Without it, the entry suppresses every
    /// finding of the rule in the file.
    #[serde(default)]
    pub cluster: Option<Sp<String>>,
    /// Why the findings are accepted (who decided, a ticket). Required: an entry without a
    /// reason suppresses nothing and is an error.
    // No `#[serde(default)]`: a missing `reason` still reads as `None` (vrt reports it with
    // its own code), while the schema lists it as required for editors.
    #[schemars(required, length(min = 1))]
    pub reason: Option<Sp<String>>,
    /// The last day the entry applies, `YYYY-MM-DD` (UTC). After it the findings are
    /// reported again, together with the expired entry.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub until: Option<Sp<String>>,
}
