//! The runbook's steps before the failure: a batch DR operation token for each planned DR
//! promotion, and a check that operators can run each planned performance promotion.

use super::Builder;
use super::candidate::merkle_check_declared;
use super::plan::{Phase, Recovery};
use super::prose::{and_list, quoted, site_name};

impl Builder<'_> {
    pub(super) fn prepare_dr_token(&mut self, r: &Recovery) {
        let t = self.t;
        let (l, Some(d)) = (r.lost, r.to) else { return };
        let var = self.token_var(l);
        let mut rules = vec![
            r#"path "sys/replication/dr/secondary/promote"        { capabilities = [ "update" ] }"#,
            r#"path "sys/replication/dr/secondary/update-primary" { capabilities = [ "update" ] }"#,
            r#"path "sys/storage/raft/autopilot/state"            { capabilities = [ "update", "read" ] }   # only with raft storage"#,
        ];
        // The optional pre-promotion `merkle-check` (`candidate.rs`) runs with this token.
        let merkle = merkle_check_declared(t, d);
        if merkle {
            rules.push(
                r#"path "sys/replication/dr/secondary/merkle-check"   { capabilities = [ "update" ] }   # optional check before promoting"#,
            );
        }
        let policy = format!(
            "policy write dr-secondary-promotion - <<'EOF'\n{}\nEOF",
            rules.join("\n")
        );
        let commands = vec![
            self.vault(l, &policy),
            self.vault(
                l,
                "write auth/token/roles/failover-handler allowed_policies=dr-secondary-promotion orphan=true renewable=false token_type=batch",
            ),
            self.capture(&var, l, "token create -field=token -role=failover-handler -ttl=8h"),
        ];
        let fallback = match t.version(d) {
            Some(v) if v.core.0 < 2 => format!(
                "Without it, a DR operation token can still be generated on {} from a quorum of {}'s unseal or recovery key shares (`vault operator generate-root -dr-token`; DR-OPTOK; GUIDES-LR), which takes the key holders' time during the outage. A generated DR operation token has no TTL: delete it after use with `vault write sys/replication/dr/secondary/operation-token/delete dr_operation_token=…` on {} (API-DR). From Vault 2.x that route needs a Vault token too (BREAKGLASS).",
                quoted(t, d),
                quoted(t, l),
                quoted(t, d)
            ),
            Some(_) => format!(
                "{} runs Vault 2.x or later, where \"the generate-operation-token endpoints require a Vault token\": without this prepared batch token the only route left is the break-glass procedure (temporarily setting `enable_unauthenticated_access` in the DR secondary's server configuration), a last resort; \"A prepared batch token is the supported approach\" (BREAKGLASS).",
                quoted(t, d)
            ),
            None => format!(
                "The file gives no version for {}. In Vault 2.x and later the generate-operation-token endpoints require a Vault token, so without this prepared batch token only the break-glass procedure remains (BREAKGLASS); before 2.x a token can also be generated from {}'s key shares (`vault operator generate-root -dr-token`; DR-OPTOK).",
                quoted(t, d),
                quoted(t, l)
            ),
        };
        let n = self.push(
            Phase::Prepare,
            format!(
                "Prepare a batch DR operation token on {} for promoting {}",
                quoted(t, l),
                quoted(t, d)
            ),
            vec![
                format!(
                    "Run on {} ({}, site `{}`) while it is healthy. The token is an orphan batch token. Batch tokens are not stored (TOKENS); {} {} it because a DR secondary replicates what verifying it needs from {}: the keyring, the token role and the policy (ENOS-DR; API-DR). The policy and token role are HashiCorp's own test recipe; the `sys/storage/raft/autopilot/state` rule is needed only with Integrated Storage (Raft).",
                    quoted(t, l),
                    t.role(l).as_str(),
                    site_name(t, l),
                    and_list(t, &r.candidates),
                    if r.candidates.len() == 1 { "accepts" } else { "accept" },
                    quoted(t, l),
                ) + if merkle {
                    " vrt adds `sys/replication/dr/secondary/merkle-check` to that recipe for the optional corruption check before the promotion, an endpoint that takes a DR operation token (API-DR; DR-OPTOK)."
                } else {
                    ""
                },
                format!(
                    "Batch tokens have a fixed TTL (8h here): re-create it on a schedule before it expires, and keep `${var}` where the on-call engineer can read it without this Vault. Treat it like a root token (DR-OPTOK)."
                ),
                fallback,
            ],
            commands,
        );
        self.prepared.insert(l, n);
    }

    pub(super) fn prepare_perf_login(&mut self, r: &Recovery) {
        let t = self.t;
        let Some(p) = r.to else { return };
        // A DR secondary answers no requests today: check on the cluster it will replace.
        let check = r.via.unwrap_or(p);
        let commands = vec![
            self.vault(
                check,
                "token capabilities sys/replication/performance/secondary/promote",
            ),
            self.vault(
                check,
                "token capabilities sys/replication/performance/secondary/update-primary",
            ),
        ];
        let mut text = vec![format!(
            "Promoting a performance secondary takes a normal Vault token on that cluster, not a DR operation token (PERF-MANAGE; API-PERF). {} keeps its own tokens, so make sure operators can log in to it with a policy granting `update` on `sys/replication/performance/secondary/promote` and `sys/replication/performance/secondary/update-primary`. Both commands must print `update` (or `root`).",
            quoted(t, p)
        )];
        if let Some(s) = r.via {
            text.push(format!(
                "{} becomes a performance secondary only after its own DR promotion in place of {}; run these checks against {} today, where the same policies apply to the tokens it mirrors.",
                quoted(t, p),
                quoted(t, s),
                quoted(t, s)
            ));
        }
        self.push(
            Phase::Prepare,
            format!(
                "Make sure operators can promote {} with a Vault token",
                quoted(t, p)
            ),
            text,
            commands,
        );
    }
}
