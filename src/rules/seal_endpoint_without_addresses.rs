//! VRT214 `seal-endpoint-without-addresses`: A cluster auto-unseals, but the file gives no addresses for its seal endpoint, so the firewall check cannot cover it.
//! The rule's full documentation is the doc comment of its `RULE` (`vrt explain VRT214`).

use crate::declare_rule;
use crate::diag::Finding;
use crate::graph::Topology;
use crate::spec::SealType;

declare_rule! {
    /// A cluster auto-unseals, but the file gives no addresses for its seal endpoint, so the
    /// firewall check cannot cover it.
    ///
    /// ## What it checks
    /// When the file declares `network.firewall`, each cluster whose `seal.type` is an
    /// auto-unseal or HSM seal (`awskms`, `azurekeyvault`, `gcpckms`, `transit`, `pkcs11`)
    /// but whose `seal` has no `cidrs`. Without them `vrt ports` has no flow to the seal,
    /// `vrt firewall` writes no rule for it, and VRT201 cannot say whether the declared
    /// firewall lets the cluster reach it. A note: it never fails a run.
    ///
    /// ## Why it matters
    /// A node that restarts comes up sealed; with an auto-unseal seal it unseals only by
    /// reaching the seal, and recovery keys cannot decrypt the root key in its place (SEAL).
    /// Vault Enterprise also uses the seal at runtime for seal wrapping (SEAL-CONFIG). A
    /// blocked path to it is found at the next restart, when every node of the cluster can
    /// stay sealed. It is a note rather than a warning because a cloud KMS reached over its
    /// public endpoint has no address range worth writing into a rule; a VPC or private
    /// endpoint, a transit cluster and a network HSM have one.
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - name: primary-a
    ///     seal: {type: awskms}               # no cidrs: the path to KMS is not checked
    /// network:
    ///   firewall: []
    /// ```
    ///
    /// ## How to fix
    /// Give the endpoint's address ranges, as the cluster's nodes reach it:
    /// `seal: {type: awskms, cidrs: [10.100.250.0/28]}` for a KMS interface VPC endpoint
    /// (`port` defaults to 443; 8200 for `transit`; give it for `pkcs11`), then allow the
    /// flow VRT201 reports. Leave them out, and accept this note, when the seal is reached
    /// over a public endpoint the firewall does not filter.
    pub static RULE = "VRT214", "seal-endpoint-without-addresses", Note;
}

/// Notes each auto-unsealed cluster without seal endpoint addresses, when the file
/// declares a firewall.
pub fn check(t: &Topology) -> Vec<Finding> {
    if t.model.firewall.is_none() {
        return Vec::new();
    }
    t.clusters()
        .filter_map(|(id, c)| {
            let seal = c.storage.seal.as_ref()?;
            let kind = *seal.kind.get();
            if kind == SealType::Shamir || seal.endpoint.is_some() {
                return None;
            }
            Some(
                Finding::new(
                    &RULE,
                    seal.kind.span(),
                    format!(
                        "`{}` unseals with `{}`, but its seal endpoint has no `cidrs`: the firewall check does not cover the path a restarted node needs",
                        c.name.get(),
                        kind.as_str()
                    ),
                )
                .cluster(id)
                .label("no endpoint addresses")
                .help("give the endpoint's address ranges as `seal.cidrs` (a VPC or private endpoint, the transit cluster, the HSMs)"),
            )
        })
        .collect()
}
