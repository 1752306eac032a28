//! The command lines of the runbook: `vault` calls against a cluster's API with the addresses
//! the topology file gives (a variable that stops the command where it gives none), captured
//! values, and the DR operation token variables.

use std::collections::BTreeSet;

use super::Builder;
use super::plan::{Command, On, RecoveryPath};
use super::prose::quoted;
use crate::ids::ClusterId;
use crate::spec::ClusterPort;
use crate::text::{shell_var_part, shell_word};

/// A host as written in a URL: an IPv6 literal in brackets (`[fd00::99]`), anything else as
/// it is (the load balancer's `address` is checked to be a DNS name or an IP address).
fn url_host(host: &str) -> String {
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(a)) => format!("[{a}]"),
        _ => host.to_string(),
    }
}

/// `{prefix}_{part}`: a shell variable's name for cluster `c`, made of `A-Z`, `0-9` and `_`
/// only and different for each cluster whatever the names hold
/// ([`crate::text::shell_var_part`]), so a name can neither inject code nor share another
/// cluster's variable.
pub(super) fn var_name(t: &crate::graph::Topology, prefix: &str, c: ClusterId) -> String {
    format!("{prefix}_{}", shell_var_part(t.name(c), c.0))
}

impl Builder<'_> {
    /// An address the file does not give: a shell variable that stops the command with an
    /// error until it is set (`${API_ADDR_DR_A:?}`), and a warning saying so.
    fn gap(&mut self, c: ClusterId, field: &str) -> String {
        let t = self.t;
        let var = var_name(t, &field.to_ascii_uppercase(), c);
        let warning = format!(
            "the file gives no `{field}` for {}: commands read it from `${var}` and stop until it is set; add `{field}` to the file to have it filled in",
            quoted(t, c)
        );
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
        format!("${{{var}:?}}")
    }

    /// `c`'s API address as a URL (an IPv6 host in brackets), or the shell variable of
    /// [`Self::gap`] when the file gives none.
    pub(super) fn api(&mut self, c: ClusterId) -> String {
        match &self.t.cluster(c).api_addr {
            Some(a) => format!("{}://{}:{}", a.scheme, a.host, a.port),
            None => self.gap(c, "api_addr"),
        }
    }

    /// `primary_cluster_addr` to pass when `c` becomes a primary: its load balancer when that
    /// passes the cluster port through, as one shell word (a URL with an IPv6 host in
    /// brackets, single-quoted so that no shell reads the brackets as a glob).
    pub(super) fn lb_cluster_addr(&mut self, c: ClusterId) -> Option<String> {
        let cluster = self.t.cluster(c);
        let lb = cluster.load_balancer.as_ref()?;
        match lb.cluster_port {
            ClusterPort::Passthrough => Some(shell_word(&format!(
                "https://{}:{}",
                url_host(lb.address.get()),
                cluster.cluster_port()
            ))),
            ClusterPort::TerminateTls => {
                let w = format!(
                    "the load balancer of {} terminates TLS on the cluster port, which replication's mutual TLS cannot pass (REPL-IDX: \"the cluster traffic can NOT be terminated at the cluster port at a load balancer level\"); the plan uses its `cluster_addr` instead",
                    quoted(self.t, c)
                );
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
                None
            }
            ClusterPort::None => None,
        }
    }

    /// The cluster address secondaries dial to reach `c` as their primary, as one shell word.
    pub(super) fn advertised(&mut self, c: ClusterId) -> String {
        if let Some(lb) = self.lb_cluster_addr(c) {
            return lb;
        }
        match &self.t.cluster(c).cluster_addr {
            Some(a) => shell_word(&format!("https://{}:{}", a.host, a.port)),
            None => self.gap(c, "cluster_addr"),
        }
    }

    /// `c`'s API address followed by `path` (`/v1/sys/health`) as one shell word: the URL
    /// quoted as [`shell_word`] does, or the variable of [`Self::gap`] in double quotes.
    pub(super) fn api_word(&mut self, c: ClusterId, path: &str) -> String {
        match &self.t.cluster(c).api_addr {
            Some(_) => shell_word(&format!("{}{path}", self.api(c))),
            None => format!("\"{}\"{}", self.api(c), shell_word(path)),
        }
    }

    /// `VAULT_ADDR` for a command line: the API URL as one shell word, or the variable
    /// that stops the command (left unquoted so the shell expands it).
    fn vault_addr(&mut self, c: ClusterId) -> String {
        match &self.t.cluster(c).api_addr {
            Some(_) => shell_word(&self.api(c)),
            None => self.api(c),
        }
    }

    /// `VAULT_ADDR=… VAULT_NAMESPACE='' vault …`: every command runs in the root namespace,
    /// the only one that serves `sys/replication`, whatever the operator's shell exports.
    pub(super) fn vault(&mut self, c: ClusterId, args: &str) -> Command {
        Command {
            on: On::Cluster(c),
            comment: None,
            line: format!(
                "VAULT_ADDR={} VAULT_NAMESPACE='' vault {args}",
                self.vault_addr(c)
            ),
        }
    }

    /// `VAR=$(VAULT_ADDR=… VAULT_NAMESPACE='' vault …)`.
    pub(super) fn capture(&mut self, var: &str, c: ClusterId, args: &str) -> Command {
        Command {
            on: On::Cluster(c),
            comment: None,
            line: format!(
                "{var}=$(VAULT_ADDR={} VAULT_NAMESPACE='' vault {args})",
                self.vault_addr(c)
            ),
        }
    }

    /// The shell variable holding the batch DR operation token created on `c`.
    pub(super) fn token_var(&mut self, c: ClusterId) -> String {
        if let Some(v) = self.token_vars.get(&c) {
            return v.clone();
        }
        let needed: BTreeSet<ClusterId> = self
            .d
            .recoveries
            .iter()
            .filter(|r| r.path == RecoveryPath::DrPromotion)
            .map(|r| r.lost)
            .collect();
        let var = if needed.len() <= 1 {
            "DR_OPERATION_TOKEN".to_string()
        } else {
            var_name(self.t, "DR_OPERATION_TOKEN", c)
        };
        self.token_vars.insert(c, var.clone());
        var
    }

    /// Makes `old` a DR secondary of `new` (activation token, then `finish` on `old`) and
    /// reads `new`'s DR status.
    pub(super) fn reattach_commands(
        &mut self,
        old: ClusterId,
        new: ClusterId,
        finish: &str,
    ) -> Vec<Command> {
        let mut out = self.activation(old, new, "dr");
        out.push(self.vault(old, finish));
        out.push(self.vault(new, "read -format=json sys/replication/dr/status"));
        out
    }
}
