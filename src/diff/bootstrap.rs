//! The bootstrap runbook: building NEW's whole topology from scratch (`vrt diff /dev/null
//! NEW`). Each replication set is built from its primary down: a cluster's primary role of a
//! kind is enabled before any secondary of that kind is enabled against it, and its DR
//! secondaries before its performance secondaries, so the data, tokens and leases of every
//! serving cluster are protected before the next one starts serving (API-DR, API-PERF;
//! MULTI). A performance secondary's own DR secondaries follow once it replicates. Once every
//! secondary replicates, the paths filters are set and then the mounts enabled
//! ([`super::mountsteps`]), so no filtered mount's data ever reaches a secondary it must not.

use std::collections::VecDeque;

use super::Mode;
use super::runbook::{Book, Repl, Runbook};
use crate::graph::Topology;

/// The runbook that builds `new` from nothing.
pub fn runbook(new: &Topology) -> Runbook {
    let mut book = Book::new(None, new);
    let names: Vec<String> = new.cluster_ids().map(|c| new.name(c).to_string()).collect();
    let commands = names.iter().map(|n| book.vault(n, "status")).collect();
    book.push(
        "Check that every cluster is installed, initialised and unsealed".to_string(),
        vec![
            "Each cluster runs as a stand-alone Vault cluster first, with its own root or admin token. `vault status` must show `Initialized true` and `Sealed false`. Every firewall rule of the network section must be open before the first secondary is enabled: a secondary unwraps its activation token at its primary's API port and then replicates over the cluster port (PERF-ENABLE; TS-CONN).".to_string(),
            "Run every command in the root namespace (leave `VAULT_NAMESPACE` unset), with a token of the cluster the command names (API-REPL).".to_string(),
        ],
        commands,
        Vec::new(),
    );
    let mut queue: VecDeque<_> = new.roots().into_iter().collect();
    let mut reached: std::collections::BTreeSet<_> = queue.iter().copied().collect();
    while let Some(u) = queue.pop_front() {
        let name = new.name(u).to_string();
        let dr = new.dr_secondaries(u);
        let perf = new.performance_secondaries(u);
        for (kind, group) in [(Repl::Dr, &dr), (Repl::Performance, &perf)] {
            if group.is_empty() {
                continue;
            }
            book.enable_primary(kind, &name);
            for s in group {
                book.enable_secondary(
                    kind,
                    new.name(*s),
                    &name,
                    new.cluster(*s).activation() == crate::spec::Activation::PublicKey,
                    Vec::new(),
                );
                reached.insert(*s);
            }
        }
        queue.extend(perf.iter().copied());
        // DR secondaries with secondaries of their own are invalid (VRT102) but still built,
        // after the others, so every cluster appears in the runbook.
        queue.extend(
            dr.iter()
                .copied()
                .filter(|d| !new.downstream(*d).is_empty()),
        );
    }
    if reached.len() < new.model.clusters.len() {
        book.warn(
            "some clusters sit on a replication cycle (VRT104) and have no primary to start from: the runbook leaves them out; fix the cycle first".to_string(),
        );
    }
    super::mountsteps::bootstrap(&mut book, new);
    if let Some(root) = new.roots().first() {
        let r = new.name(*root).to_string();
        let verify = book.vault(&r, "read -format=json sys/replication/status");
        book.push(
            format!("Check the replication status on `{r}`"),
            vec![format!(
                "`data.dr.known_secondaries` and `data.performance.known_secondaries` on `{r}` list the ids enabled above, and each secondary's status reads `stream-wals` (API-REPL)."
            )],
            vec![verify],
            Vec::new(),
        );
    }
    Runbook {
        mode: Mode::Bootstrap,
        steps: book.steps,
        windows: Vec::new(),
        warnings: book.warnings,
    }
}
