//! The documentation sources that rule explanations cite by key (the source key of the
//! domain fact sheet), so `vrt explain` can say where each fact comes from.

/// `(key, what it is)` for every source a rule may cite.
pub static SOURCES: &[(&str, &str)] = &[
    (
        "REPL-IDX",
        "Vault Enterprise replication — https://developer.hashicorp.com/vault/docs/enterprise/replication",
    ),
    (
        "REPL-INT",
        "Replication internals — https://developer.hashicorp.com/vault/docs/internals/replication",
    ),
    (
        "API-REPL",
        "/sys/replication API — https://developer.hashicorp.com/vault/api-docs/system/replication",
    ),
    (
        "API-DR",
        "DR replication API — https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr",
    ),
    (
        "API-PERF",
        "Performance replication API — https://developer.hashicorp.com/vault/api-docs/system/replication/replication-performance",
    ),
    (
        "MERKLE",
        "Check for Merkle tree corruption — https://developer.hashicorp.com/vault/docs/enterprise/replication/check-merkle-tree-corruption",
    ),
    (
        "API-HEALTH",
        "/sys/health API — https://developer.hashicorp.com/vault/api-docs/system/health",
    ),
    (
        "PORTS",
        "Vault ports — https://developer.hashicorp.com/vault/docs/internals/ports",
    ),
    (
        "PERF-ENABLE",
        "Enable performance replication — https://developer.hashicorp.com/vault/docs/enterprise/replication/performance/enable",
    ),
    (
        "PERF-MANAGE",
        "Manage performance replication — https://developer.hashicorp.com/vault/docs/enterprise/replication/performance/manage",
    ),
    (
        "PERF-DOC",
        "Performance replication — https://developer.hashicorp.com/vault/docs/enterprise/replication/performance",
    ),
    (
        "TS-CONN",
        "Troubleshoot replication connections — https://developer.hashicorp.com/vault/docs/enterprise/replication/troubleshoot/connection",
    ),
    (
        "DR-OPTOK",
        "DR operation tokens — https://developer.hashicorp.com/vault/docs/enterprise/replication/disaster-recovery/operation-token",
    ),
    (
        "MONITOR",
        "Monitor replication — https://developer.hashicorp.com/vault/docs/enterprise/replication/monitor",
    ),
    (
        "BREAKGLASS",
        "Break-glass failover — https://developer.hashicorp.com/vault/tutorials/disaster-recovery/break-glass-failover",
    ),
    (
        "UPGRADE",
        "Upgrading Vault, Enterprise replication installations — https://developer.hashicorp.com/vault/docs/upgrading",
    ),
    (
        "TOKENS",
        "Tokens — https://developer.hashicorp.com/vault/docs/concepts/tokens",
    ),
    (
        "HA",
        "High availability — https://developer.hashicorp.com/vault/docs/concepts/ha",
    ),
    (
        "IS-INT",
        "Integrated Storage internals — https://developer.hashicorp.com/vault/docs/internals/integrated-storage",
    ),
    (
        "RZ",
        "Redundancy zones — https://developer.hashicorp.com/vault/docs/enterprise/redundancy-zones",
    ),
    (
        "REFARCH",
        "Integrated Storage reference architecture — https://developer.hashicorp.com/well-architected-framework/zero-trust-security/raft-reference-architecture",
    ),
    (
        "MULTI",
        "Vault multi-cluster architecture guide — https://developer.hashicorp.com/well-architected-framework/zero-trust-security/multi-cluster-architecture",
    ),
    (
        "HVD-PR",
        "HashiCorp Validated Design, performance replication — https://developer.hashicorp.com/validated-designs/vault-operating-guides-scaling/performance-replication",
    ),
    (
        "HVD-DC",
        "HashiCorp Validated Design, private data center — https://developer.hashicorp.com/validated-designs/vault-solution-design-guides-vault-enterprise/deploying-vault-private-datacenter",
    ),
    (
        "HVD-OPS",
        "HashiCorp Validated Design, performance replication operations — https://developer.hashicorp.com/validated-designs/vault/administration-guide/performance-replication-operations",
    ),
    (
        "HVD-TF",
        "hashicorp/terraform-aws-vault-enterprise-hvd (network-security.tf, lb.tf)",
    ),
    (
        "ENOS-DR",
        "hashicorp/vault enos/enos-scenario-dr-replication.hcl (HashiCorp's DR failover test scenario)",
    ),
    (
        "GUIDES-LR",
        "hashicorp/vault-guides operations/local-replication/README.md",
    ),
    (
        "SEAL",
        "Seal/unseal concepts — https://developer.hashicorp.com/vault/docs/concepts/seal",
    ),
    (
        "SEAL-CONFIG",
        "seal stanza (awskms, azurekeyvault, gcpckms, transit, pkcs11) — https://developer.hashicorp.com/vault/docs/configuration/seal",
    ),
    (
        "CONSUL-STORAGE",
        "Consul storage backend — https://developer.hashicorp.com/vault/docs/configuration/storage/consul",
    ),
    (
        "CONSUL-PORTS",
        "Consul ports reference — https://developer.hashicorp.com/consul/docs/install/ports",
    ),
    (
        "KK",
        "KodeKloud, Vault Associate notes: Replication Architecture (the reference topologies vrt encodes; third-party)",
    ),
];

/// The sources whose keys appear in `text`, in table order.
pub fn cited(text: &str) -> Vec<(&'static str, &'static str)> {
    SOURCES
        .iter()
        .copied()
        .filter(|(key, _)| {
            text.match_indices(key).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + key.len()..].chars().next();
                let edge =
                    |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-'));
                edge(before) && edge(after)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_match_whole_words() {
        let found = super::cited("see REPL-IDX and PERF-DOC, not REPL-IDXY");
        let keys: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["REPL-IDX", "PERF-DOC"]);
    }
}
