//! Who takes over from a lost cluster: the one ranking of successors and of the new home of
//! a lost cluster's clients. `validate` (VRT301, VRT304, VRT305), `failover`,
//! `failover --all`, the standby paths of `ports`/`firewall` and `graph --after-loss` all
//! choose through these functions, so they never disagree.
//!
//! A candidate is only ever a cluster of the lost cluster's environment: a non-production
//! cluster never takes over from a production one, nor the other way round. Candidates are
//! ranked: the operator's `failover_to` first, then enough capacity (at least 3 voters and
//! not fewer than the lost cluster's, when declared; IS-INT), then the lost cluster's
//! region, then the newest Vault version (a secondary must not be older than its primary;
//! UPGRADE), then name.

use std::cmp::Reverse;

use super::Topology;
use crate::ids::ClusterId;
use crate::spec::Role;

/// Whether a candidate has the Raft voters to take over from a lost cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Capacity {
    /// At least 3 voters, and not fewer than the lost cluster's when it declares them.
    Enough,
    /// The candidate declares no `nodes`.
    Unknown,
    /// Fewer than 3 voters, or fewer than the lost cluster's.
    Short,
}

impl Topology {
    /// Whether `a` and `b` are in the same environment (production or not).
    pub fn same_environment(&self, a: ClusterId, b: ClusterId) -> bool {
        self.environment(a) == self.environment(b)
    }

    /// Whether `c` has the voters to take over from `lost`.
    pub fn capacity(&self, lost: ClusterId, c: ClusterId) -> Capacity {
        let voters = |x: ClusterId| self.cluster(x).nodes.as_ref().map(|n| *n.get());
        match voters(c) {
            None => Capacity::Unknown,
            Some(n) if n >= 3 && voters(lost).is_none_or(|l| n >= l) => Capacity::Enough,
            Some(_) => Capacity::Short,
        }
    }

    /// The clusters that may be promoted in place of `lost`: its DR secondaries and, for a
    /// primary, its performance secondaries, of its environment only.
    pub fn successor_candidates(&self, lost: ClusterId) -> Vec<ClusterId> {
        let mut out = self.dr_secondaries(lost);
        if self.role(lost) == Role::Primary {
            out.extend(self.performance_secondaries(lost));
        }
        out.retain(|c| self.same_environment(lost, *c));
        out
    }

    /// Orders the clusters that could take over from `replaced`, best first, dropping those
    /// of another environment: `failover_to` first, then capacity ([`Capacity`]), then the
    /// same region as `replaced`, then the newest Vault version (clusters without one
    /// last), then name.
    pub fn rank_replacements(
        &self,
        replaced: ClusterId,
        candidates: impl IntoIterator<Item = ClusterId>,
    ) -> Vec<ClusterId> {
        let mut out: Vec<ClusterId> = candidates.into_iter().collect();
        self.rank_in_place(replaced, &mut out);
        out
    }

    /// [`Topology::rank_replacements`] of the clusters of `candidates`, in place.
    pub fn rank_in_place(&self, replaced: ClusterId, out: &mut Vec<ClusterId>) {
        let preferred = self
            .cluster(replaced)
            .failover_to
            .as_ref()
            .map(|f| *f.get());
        out.retain(|c| self.same_environment(replaced, *c));
        out.sort_by(|a, b| {
            let key = |c: ClusterId| {
                (
                    preferred != Some(c),
                    self.capacity(replaced, c),
                    !self.same_region(c, replaced),
                    Reverse(self.version(c)),
                )
            };
            key(*a)
                .cmp(&key(*b))
                .then_with(|| self.name(*a).cmp(self.name(*b)))
        });
        out.dedup();
    }

    /// Where the clients of lost performance secondary `lost` go when no DR secondary of it
    /// survives, best first: the clusters of `serving` (the set's serving clusters) in
    /// `lost`'s region, ranked as [`Topology::rank_replacements`] does, then `primary`
    /// (the set's primary after the failover: it holds every shared mount and takes every
    /// write; REPL-IDX). Never a cluster of another region other than the primary, nor one
    /// of another environment.
    pub fn client_homes(
        &self,
        lost: ClusterId,
        serving: impl IntoIterator<Item = ClusterId>,
        primary: Option<ClusterId>,
    ) -> Vec<ClusterId> {
        let near = serving
            .into_iter()
            .filter(|c| *c != lost && self.same_region(*c, lost));
        let mut out = self.rank_replacements(lost, near);
        if let Some(p) = primary
            && p != lost
            && self.same_environment(lost, p)
            && !out.contains(&p)
        {
            out.push(p);
        }
        out
    }

    /// Why `ranked[0]` was chosen over `ranked[1]` (empty when there is one candidate):
    /// `` . Of the 2 {what} (`a`, `b`), vrt picks `a`: <reason>. The order is: … ``.
    pub fn why_first(&self, lost: ClusterId, ranked: &[ClusterId], what: &str) -> String {
        let [first, second, ..] = ranked else {
            return String::new();
        };
        let (first, second) = (*first, *second);
        let q = |c: ClusterId| format!("`{}`", self.name(c));
        let version = |c: ClusterId| {
            self.version(c)
                .map_or_else(|| "no version given".to_string(), ToString::to_string)
        };
        let region = self.region_of(self.site_of(lost));
        let in_region = |c: ClusterId| self.region_of(self.site_of(c)) == region;
        let preferred = self.cluster(lost).failover_to.as_ref().map(|f| *f.get());
        let (cap1, cap2) = (self.capacity(lost, first), self.capacity(lost, second));
        let reason = if preferred == Some(first) {
            format!("the file names it as {}'s `failover_to`", q(lost))
        } else if cap1 != cap2 {
            let voters = |c: ClusterId| {
                self.cluster(c).nodes.as_ref().map_or_else(
                    || "no `nodes` given".to_string(),
                    |n| format!("{} voters", n.get()),
                )
            };
            format!(
                "it has the capacity to take over ({}; {} has {}; a successor needs at least 3 voters and not fewer than {}'s)",
                voters(first),
                q(second),
                voters(second),
                q(lost)
            )
        } else if in_region(first) && !in_region(second) {
            format!(
                "it is in {}'s region `{region}` and {} is not",
                q(lost),
                q(second)
            )
        } else if self.version(first) != self.version(second) {
            format!(
                "it runs the newest version ({}; {} runs {})",
                version(first),
                q(second),
                version(second)
            )
        } else {
            let place = if in_region(first) {
                format!("both are in region `{region}`")
            } else {
                format!("neither is in region `{region}`")
            };
            match self.version(first) {
                Some(v) => format!("{place}, both run {v}, so name order decides"),
                None => format!("{place}, neither gives a version, so name order decides"),
            }
        };
        // The first eight: a why per lost cluster must not grow with the size of the set.
        let all = crate::text::first_few(ranked.iter().map(|c| q(*c)), 8);
        format!(
            ". Of the {} {what} ({all}), vrt picks {}: {reason}. The order is: same environment only, then the file's `failover_to`, then enough capacity, then the lost cluster's region, then the newest Vault version, then name",
            ranked.len(),
            q(first)
        )
    }

    /// Why the clients of `lost` go to `homes[0]` ([`Topology::client_homes`]).
    pub fn why_home(&self, lost: ClusterId, homes: &[ClusterId]) -> String {
        let Some(&first) = homes.first() else {
            return String::new();
        };
        let region = self.region_of(self.site_of(lost));
        if self.region_of(self.site_of(first)) == region && self.role(first) != Role::Primary {
            let mut why = format!(
                ". `{}` serves the same replication set in `{}`'s region `{region}`",
                self.name(first),
                self.name(lost)
            );
            let near: Vec<ClusterId> = homes
                .iter()
                .copied()
                .filter(|c| self.region_of(self.site_of(*c)) == region)
                .collect();
            why.push_str(&self.why_first(lost, &near, "serving clusters in the region"));
            why
        } else {
            format!(
                ". No other serving cluster of the set is in `{}`'s region `{region}`, so they go to the primary `{}`: it holds every shared mount and takes every write (REPL-IDX)",
                self.name(lost),
                self.name(first)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::ClusterId;
    use crate::source::Source;
    use crate::yaml::Limits;

    fn topology(text: &str) -> super::Topology {
        crate::topology(&Source::new("t.yaml", text), Limits::default()).unwrap()
    }

    fn names(t: &super::Topology, ids: &[ClusterId]) -> Vec<String> {
        ids.iter().map(|c| t.name(*c).to_string()).collect()
    }

    const SET: &str = "version: 1\nname: x\nsites: [{name: a, region: east}, {name: b, region: west}]\nclusters:\n  - {name: p, site: a, role: primary, version: 1.18.0, nodes: 5FT\n  - {name: d-new, site: b, role: dr-secondary, replicates_from: p, version: 1.19.0, nodes: 5}\n  - {name: d-near, site: a, role: dr-secondary, replicates_from: p, version: 1.18.0, nodes: 5}\n  - {name: d-small, site: a, role: dr-secondary, replicates_from: p, version: 1.20.0, nodes: 1}\n  - {name: d-qa, site: a, role: dr-secondary, replicates_from: p, version: 1.20.0, nodes: 5, environment: non-production}\n";

    #[test]
    fn environment_then_failover_to_then_capacity_then_region_then_version() {
        let t = topology(&SET.replace("FT", "}"));
        let p = ClusterId(0);
        let ranked = t.rank_replacements(p, t.dr_secondaries(p));
        // `d-qa` is never a candidate; `d-small` is the newest but has one voter.
        assert_eq!(names(&t, &ranked), ["d-near", "d-new", "d-small"]);
        assert!(
            t.why_first(p, &ranked, "DR secondaries")
                .contains("it is in `p`'s region `east` and `d-new` is not"),
            "{}",
            t.why_first(p, &ranked, "DR secondaries")
        );
        let t = topology(&SET.replace("FT", ", failover_to: d-new}"));
        let ranked = t.rank_replacements(p, t.dr_secondaries(p));
        assert_eq!(names(&t, &ranked), ["d-new", "d-near", "d-small"]);
        assert!(
            t.why_first(p, &ranked, "DR secondaries")
                .contains("`failover_to`")
        );
        assert_eq!(
            names(&t, &t.successor_candidates(p)),
            ["d-new", "d-near", "d-small"]
        );
    }

    #[test]
    fn clients_stay_in_their_region_else_go_to_the_primary() {
        let text = "version: 1\nname: x\nsites: [{name: a, region: east}, {name: b, region: west}, {name: c, region: west}]\nclusters:\n  - {name: p, site: a, role: primary}\n  - {name: s-b, site: b, role: performance-secondary, replicates_from: p}\n  - {name: s-c, site: c, role: performance-secondary, replicates_from: p}\n  - {name: s-a, site: a, role: performance-secondary, replicates_from: p}\n";
        let t = topology(text);
        let all = [ClusterId(1), ClusterId(2), ClusterId(3)];
        // `s-b` is lost: `s-c` is in its region, the primary comes after.
        assert_eq!(
            names(&t, &t.client_homes(ClusterId(1), all, Some(ClusterId(0)))),
            ["s-c", "p"]
        );
        // `s-a` is lost: nothing else serves in `east` but the primary; never `s-b` or `s-c`.
        assert_eq!(
            names(&t, &t.client_homes(ClusterId(3), all, Some(ClusterId(0)))),
            ["p"]
        );
    }
}
