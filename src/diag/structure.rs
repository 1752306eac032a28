//! The codes of the load and model stages (band 0xx): problems with the file itself or with
//! its references, found before any rule runs; and the codes of the suppression stage
//! (VRT020–VRT023), about the file's own `ignore` entries, found after the rules ran.
//!
//! They are declared together here rather than one file each because they have no check
//! function of their own: `load`, `model` and `suppress` emit them while reading the file
//! or applying its `ignore` entries. None of them can be suppressed.

use crate::declare_rule;

declare_rule! {
    /// The file is not a single well-formed YAML document.
    ///
    /// ## What it checks
    /// That the file is UTF-8 text holding exactly one YAML document with valid syntax and
    /// no custom tags (`!foo`). An empty file, a stray `---` starting a second document,
    /// an unclosed bracket or quote, or bytes that are not UTF-8 all end here.
    ///
    /// ## Why it matters
    /// vrt cannot check a design it cannot read; it stops at the first syntax error, as
    /// YAML parsers cannot recover reliably.
    ///
    /// ## Example
    /// ```yaml
    /// clusters: [primary-a
    /// ```
    ///
    /// ## How to fix
    /// Fix the syntax at the reported line; keep one topology per file.
    pub static INVALID_YAML = "VRT001", "invalid-yaml", Error, unsuppressible;
}

declare_rule! {
    /// A key that the topology format (v1) does not define.
    ///
    /// ## What it checks
    /// Every mapping key against the keys of format v1 (see `vrt schema`).
    ///
    /// ## Why it matters
    /// A misspelt optional key (`replicate_from`, `cluster_adr`) would otherwise be ignored
    /// silently and the design checked without it.
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - name: perf-b
    ///     replicate_from: primary-a   # did you mean `replicates_from`?
    /// ```
    ///
    /// ## How to fix
    /// Correct the spelling (the help names the closest known key) or remove the key.
    pub static UNKNOWN_KEY = "VRT002", "unknown-key", Error, unsuppressible;
}

declare_rule! {
    /// A required key is missing.
    ///
    /// ## What it checks
    /// That `version`, `name`, `sites` and `clusters` are present at the top, and that each
    /// site, cluster, client, external service, firewall rule and DNS entry has its required
    /// keys.
    ///
    /// ## Why it matters
    /// Without them the design is incomplete: a cluster without a `site` cannot be placed,
    /// a cluster without a `role` cannot be reasoned about.
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - name: primary-a
    ///     role: primary        # missing `site`
    /// ```
    ///
    /// ## How to fix
    /// Add the key named in the message.
    pub static MISSING_KEY = "VRT003", "missing-key", Error, unsuppressible;
}

declare_rule! {
    /// A value of the wrong type or outside its allowed values.
    ///
    /// ## What it checks
    /// Types (a list where a list belongs, a number where a number belongs), enumerations
    /// (`role`, `provider`, `environment`, `cluster_port`, `protocol`), names (lowercase
    /// letters, digits and `-`, starting with a letter or digit), CIDRs (`10.0.0.0/16`, host
    /// bits clear), URLs (`https://host:port`), ports (1–65535), port ranges (`8200-8201`),
    /// Vault versions (`1.17.3`, optionally `+ent`), Raft node counts (1 or more) and dates
    /// (`until: 2027-03-01`, a day that exists).
    ///
    /// ## Why it matters
    /// Every later stage (rules, port matrices, firewall tables, runbooks) builds on these
    /// values; a wrong one would produce wrong rules or commands.
    ///
    /// ## Example
    /// ```yaml
    /// cidrs: [10.10.1.0/33]
    /// ```
    ///
    /// ## How to fix
    /// Use a value of the form the message gives.
    pub static INVALID_VALUE = "VRT004", "invalid-value", Error, unsuppressible;
}

declare_rule! {
    /// The same key appears twice in one mapping.
    ///
    /// ## What it checks
    /// Every mapping for repeated keys.
    ///
    /// ## Why it matters
    /// Most YAML parsers keep the last value silently, so the file says two things and one is
    /// lost; vrt refuses to guess which was meant.
    ///
    /// ## Example
    /// ```yaml
    /// - name: dr-a
    ///   role: dr-secondary
    ///   role: performance-secondary
    /// ```
    ///
    /// ## How to fix
    /// Keep one of the two keys.
    pub static DUPLICATE_KEY = "VRT005", "duplicate-key", Error, unsuppressible;
}

declare_rule! {
    /// The input exceeds one of vrt's limits (file size, nesting depth, node, alias or list
    /// length).
    ///
    /// ## What it checks
    /// That the file stays within limits sized for real topologies of 10,000 clusters, each
    /// a flag of every command that reads a topology: its size in bytes
    /// (`--max-file-size`), the number of YAML nodes with aliases expanded (`--max-nodes`,
    /// which stops "billion laughs" alias bombs), the nesting depth (`--max-depth`), alias
    /// uses and merge keys (`--max-aliases`), and the entries of any one list
    /// (`--max-list-entries`). The message names the limit that was passed; the finding
    /// points where it was passed.
    ///
    /// ## Why it matters
    /// vrt runs in CI on every commit; a hostile or broken file must fail fast instead of
    /// exhausting memory or time.
    ///
    /// ## Example
    /// ```yaml
    /// sites:
    ///   - {name: dc-a, zones: &z [z1, z2, z3, z4, z5, z6, z7, z8]}   # ... 1,000 zones
    /// clusters:
    ///   - &c {name: primary-a, site: dc-a, role: primary, zones: *z}
    ///   - *c    # ... 2,000 times: more than 2,000,000 nodes
    /// ```
    ///
    /// ## How to fix
    /// Look for the runaway alias, nesting or generator at the reported line; a real
    /// topology needs none of them. If the file is genuine, raise the limit with the flag
    /// the message names.
    pub static INPUT_LIMIT = "VRT006", "input-limit-exceeded", Error, unsuppressible;
}

declare_rule! {
    /// The file declares a format version this vrt does not read.
    ///
    /// ## What it checks
    /// That the top-level `version` is `1`.
    ///
    /// ## Why it matters
    /// The format is a contract; reading a file written for another version could silently
    /// change what its keys mean.
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// ```
    ///
    /// ## How to fix
    /// Set `version: 1`, or use the vrt release that reads the file's version.
    pub static UNSUPPORTED_FORMAT = "VRT007", "unsupported-format-version", Error, unsuppressible;
}

declare_rule! {
    /// A reference names a site, cluster, client or service that the file does not declare.
    ///
    /// ## What it checks
    /// `site`, `replicates_from`, a client's `cluster`, `used_by`, firewall `from`/`to`, DNS
    /// `site` and an `ignore` entry's `cluster` against the declared names, and an `ignore`
    /// entry's `rule` against vrt's rule codes and names.
    ///
    /// ## Why it matters
    /// A dangling reference is almost always a typo; the design it describes is incomplete.
    ///
    /// ## Example
    /// ```yaml
    /// - name: perf-b
    ///   site: dc-c        # no site `dc-c` is declared
    /// ```
    ///
    /// ## How to fix
    /// Correct the name (the help suggests the closest declared one) or declare the object.
    pub static UNKNOWN_REFERENCE = "VRT010", "unknown-reference", Error, unsuppressible;
}

declare_rule! {
    /// Two objects of the same kind share a name.
    ///
    /// ## What it checks
    /// Names are unique among sites, among clusters, among clients, among external
    /// services and among firewall rules.
    ///
    /// ## Why it matters
    /// References resolve by name; a duplicate makes every reference to it ambiguous.
    ///
    /// ## Example
    /// ```yaml
    /// clusters:
    ///   - name: dr-a
    ///   - name: dr-a
    /// ```
    ///
    /// ## How to fix
    /// Rename one of them.
    pub static DUPLICATE_NAME = "VRT011", "duplicate-name", Error, unsuppressible;
}

declare_rule! {
    /// `replicates_from` is missing on a secondary, present on a primary, or names itself.
    ///
    /// ## What it checks
    /// A `performance-secondary` or `dr-secondary` must say which cluster it replicates from;
    /// a `primary` must not; no cluster replicates from itself.
    ///
    /// ## Why it matters
    /// The replication edges are the design: every rule, port matrix and runbook is derived
    /// from them. A primary has no upstream: it is where writes happen (REPL-INT).
    ///
    /// ## Example
    /// ```yaml
    /// - name: dr-a
    ///   role: dr-secondary      # missing `replicates_from`
    /// ```
    ///
    /// ## How to fix
    /// Add `replicates_from: <cluster>` to the secondary, or remove it from the primary.
    pub static REPLICATES_FROM = "VRT012", "misplaced-replicates-from", Error, unsuppressible;
}

declare_rule! {
    /// A cluster lists a zone that its site does not declare.
    ///
    /// ## What it checks
    /// Each entry of a cluster's `zones` against its site's `zones`.
    ///
    /// ## Why it matters
    /// Zone placement decides what a zone outage takes out (REFARCH: five nodes across three
    /// availability zones survive the loss of one zone); an unknown zone makes that
    /// reasoning wrong.
    ///
    /// ## Example
    /// ```yaml
    /// sites: [{name: dc-a, zones: [a1, a2]}]
    /// clusters: [{name: primary-a, site: dc-a, role: primary, zones: [a3]}]
    /// ```
    ///
    /// ## How to fix
    /// Add the zone to the site or correct the cluster's zone.
    pub static ZONE_NOT_IN_SITE = "VRT013", "zone-not-in-site", Error, unsuppressible;
}

declare_rule! {
    /// A cluster's or client's CIDR lies outside every CIDR of its site.
    ///
    /// ## What it checks
    /// When a site declares `cidrs`, each CIDR of its clusters and clients must lie inside one
    /// of them (a cluster's `cidrs` narrow its site's).
    ///
    /// ## Why it matters
    /// Firewall rules are generated from these ranges; a range outside the site is most
    /// likely a typo that would open the wrong network.
    ///
    /// ## Example
    /// ```yaml
    /// sites: [{name: dc-a, cidrs: [10.10.0.0/16]}]
    /// clusters: [{name: primary-a, site: dc-a, role: primary, cidrs: [10.20.1.0/24]}]
    /// ```
    ///
    /// ## How to fix
    /// Correct the CIDR, or add the range to the site's `cidrs`.
    pub static CIDR_OUTSIDE_SITE = "VRT014", "cidr-outside-site", Error, unsuppressible;
}

declare_rule! {
    /// `sites` or `clusters` is empty.
    ///
    /// ## What it checks
    /// That the topology declares at least one site and one cluster.
    ///
    /// ## Why it matters
    /// A topology without clusters has nothing to validate; an empty list is usually a
    /// mistake in templating.
    ///
    /// ## Example
    /// ```yaml
    /// clusters: []
    /// ```
    ///
    /// ## How to fix
    /// Declare at least one site and one cluster.
    pub static EMPTY_SECTION = "VRT015", "empty-section", Error, unsuppressible;
}

declare_rule! {
    /// A firewall endpoint names objects of more than one kind.
    ///
    /// ## What it checks
    /// A firewall rule's `from` / `to` resolves to a site, cluster, client or external
    /// service by name; the name must match only one of them.
    ///
    /// ## Why it matters
    /// vrt must know which address ranges a rule covers; with a site and a cluster of the
    /// same name it cannot.
    ///
    /// ## Example
    /// ```yaml
    /// sites: [{name: vault}]
    /// clusters: [{name: vault, site: vault, role: primary}]
    /// network: {firewall: [{name: r, from: vault, to: any, ports: [8200]}]}
    /// ```
    ///
    /// ## How to fix
    /// Rename one of the objects so that names are unique across kinds.
    pub static AMBIGUOUS_REFERENCE = "VRT016", "ambiguous-reference", Error, unsuppressible;
}

declare_rule! {
    /// An `ignore` entry has no reason.
    ///
    /// ## What it checks
    /// Every entry of the top-level `ignore` list has a non-blank `reason`. An entry without
    /// one suppresses nothing.
    ///
    /// ## Why it matters
    /// A suppression is a decision to accept a known weakness of the design. Without the
    /// why (and who decided), the next reviewer cannot tell an accepted risk from a
    /// silenced alarm, and nobody knows when to revisit it.
    ///
    /// ## Example
    /// ```yaml
    /// ignore:
    ///   - {rule: VRT101, cluster: sandbox-primary}
    /// ```
    ///
    /// ## How to fix
    /// Add `reason: "…"` saying why the finding is accepted, ideally with a ticket and an
    /// `until` date for the next review.
    pub static SUPPRESSION_WITHOUT_REASON = "VRT020", "suppression-without-reason", Error, unsuppressible;
}

declare_rule! {
    /// An `ignore` entry is past its `until` date.
    ///
    /// ## What it checks
    /// An entry's `until` (the last day it applies, UTC) against today's date. From the day
    /// after, the entry suppresses nothing: the findings it covered are reported again, and
    /// so is the entry.
    ///
    /// ## Why it matters
    /// Accepted risks are accepted for a time (until a migration, a budget, a hardware
    /// refresh). An expiry date forces the decision to be made again instead of lasting
    /// forever by default.
    ///
    /// ## Example
    /// ```yaml
    /// ignore:
    ///   - {rule: VRT401, cluster: qa-primary, reason: "3 nodes until Q1 budget", until: 2026-03-31}
    /// ```
    ///
    /// ## How to fix
    /// Fix the findings and remove the entry, or review the decision and move `until`.
    pub static EXPIRED_SUPPRESSION = "VRT021", "expired-suppression", Warning, unsuppressible;
}

declare_rule! {
    /// An `ignore` entry suppresses nothing.
    ///
    /// ## What it checks
    /// Every entry that is in force (it has a reason, has not expired and names a rule that
    /// can be suppressed) must suppress at least one finding of a rule that ran. An entry
    /// repeating an earlier one suppresses nothing: each finding is credited to the first
    /// entry that matches it.
    ///
    /// ## Why it matters
    /// A stale suppression (the problem was fixed, the cluster renamed) would silently hide
    /// the problem if it came back; like ruff's unused-noqa, vrt asks for it to be removed.
    ///
    /// ## Example
    /// ```yaml
    /// ignore:
    ///   - {rule: VRT101, cluster: perf-b, reason: "DR cluster being built"}  # perf-b now has one
    /// ```
    ///
    /// ## How to fix
    /// Remove the entry, or correct its `rule` or `cluster`.
    pub static UNUSED_SUPPRESSION = "VRT022", "unused-suppression", Warning, unsuppressible;
}

declare_rule! {
    /// An `ignore` entry names a rule that cannot be suppressed.
    ///
    /// ## What it checks
    /// The rule an entry names against the rules that may not be suppressed: the
    /// structural codes (the file must be readable and consistent) and the rules whose
    /// violation breaks replication outright, such as replication cycles or replication from
    /// a DR secondary. `vrt explain` marks them "not suppressible".
    ///
    /// ## Why it matters
    /// These are not design trade-offs: Vault will refuse or break the replication the file
    /// describes (API-PERF; API-DR; REPL-INT), so accepting the finding cannot make the design
    /// work. The entry suppresses nothing.
    ///
    /// ## Example
    /// ```yaml
    /// ignore:
    ///   - {rule: replication-cycle, reason: "temporary"}
    /// ```
    ///
    /// ## How to fix
    /// Remove the entry and fix the topology.
    pub static UNSUPPRESSIBLE_RULE = "VRT023", "unsuppressible-rule", Error, unsuppressible;
}

/// Every structural code, in code order.
pub static ALL: &[&crate::diag::Rule] = &[
    &INVALID_YAML,
    &UNKNOWN_KEY,
    &MISSING_KEY,
    &INVALID_VALUE,
    &DUPLICATE_KEY,
    &INPUT_LIMIT,
    &UNSUPPORTED_FORMAT,
    &UNKNOWN_REFERENCE,
    &DUPLICATE_NAME,
    &REPLICATES_FROM,
    &ZONE_NOT_IN_SITE,
    &CIDR_OUTSIDE_SITE,
    &EMPTY_SECTION,
    &AMBIGUOUS_REFERENCE,
    &SUPPRESSION_WITHOUT_REASON,
    &EXPIRED_SUPPRESSION,
    &UNUSED_SUPPRESSION,
    &UNSUPPRESSIBLE_RULE,
];
