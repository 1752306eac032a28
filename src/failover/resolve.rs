//! Naming the failure: `--lose` text to a [`Failure`] (a cluster, a site or a region, with an
//! optional `cluster:`, `site:` or `region:` prefix), and the label a plan gives it.

use crate::graph::{Failure, Topology};
use crate::ids::SiteId;
use crate::values;

/// Why a name given to `--lose` names nothing, or more than one thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing has that name.
    #[error("no {kinds} is named `{name}`{hint}")]
    Unknown {
        /// The name as given (without its prefix).
        name: String,
        /// What was searched: `cluster, site or region`, or one kind.
        kinds: &'static str,
        /// `; did you mean …?` or the list of names, possibly empty.
        hint: String,
    },
    /// Several kinds of object have that name and their failures differ.
    #[error("`{name}` names {what}; write {options} to choose")]
    Ambiguous {
        /// The name.
        name: String,
        /// `a cluster and a site`.
        what: String,
        /// `` `cluster:x` or `site:x` ``.
        options: String,
    },
    /// The text has a prefix other than `cluster:`, `site:` or `region:`.
    #[error("unknown prefix `{prefix}:` in `{text}`; use `cluster:`, `site:` or `region:`")]
    Prefix {
        /// The prefix.
        prefix: String,
        /// The whole text.
        text: String,
    },
}

/// Resolves `--lose` text: a cluster, site or region name, optionally prefixed with
/// `cluster:`, `site:` or `region:`. A site and a one-site region of the same name (the
/// default region of a site is its name) fail identically and resolve to the site.
pub fn resolve(t: &Topology, text: &str) -> Result<Failure, ResolveError> {
    let clusters = || t.cluster_ids().map(|c| (t.name(c), Failure::Cluster(c)));
    let sites = || {
        t.model
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), Failure::Site(SiteId(i))))
    };
    let regions = || {
        t.regions()
            .into_iter()
            .map(|r| (r, Failure::Region(r.to_string())))
    };
    let unknown = |name: &str, kinds: &'static str, names: Vec<&str>| {
        let hint = match values::closest(name, names.iter().copied()) {
            Some(m) => format!("; did you mean `{m}`?"),
            None if names.is_empty() => String::new(),
            None => format!(
                "; the topology has {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        ResolveError::Unknown {
            name: name.to_string(),
            kinds,
            hint,
        }
    };
    if let Some((prefix, name)) = text.split_once(':') {
        let (kind, all): (&'static str, Vec<(&str, Failure)>) = match prefix {
            "cluster" => ("cluster", clusters().collect()),
            "site" => ("site", sites().collect()),
            "region" => ("region", regions().collect()),
            _ => {
                return Err(ResolveError::Prefix {
                    prefix: prefix.to_string(),
                    text: text.to_string(),
                });
            }
        };
        return match all.iter().find(|(n, _)| *n == name) {
            Some((_, f)) => Ok(f.clone()),
            None => Err(unknown(name, kind, all.iter().map(|(n, _)| *n).collect())),
        };
    }
    let mut hits: Vec<Failure> = clusters()
        .chain(sites())
        .chain(regions())
        .filter(|(n, _)| *n == text)
        .map(|(_, f)| f)
        .collect();
    let site_hit = hits.iter().find_map(|f| match f {
        Failure::Site(s) => Some(*s),
        _ => None,
    });
    if let Some(s) = site_hit {
        hits.retain(|f| !matches!(f, Failure::Region(r) if t.sites_in_region(r) == [s]));
    }
    match hits.len() {
        0 => {
            let names: Vec<&str> = clusters()
                .chain(sites())
                .chain(regions())
                .map(|(n, _)| n)
                .collect();
            let mut unique: Vec<&str> = Vec::new();
            for n in names {
                if !unique.contains(&n) {
                    unique.push(n);
                }
            }
            Err(unknown(text, "cluster, site or region", unique))
        }
        1 => Ok(hits.remove(0)),
        _ => {
            let kinds: Vec<&str> = hits.iter().map(Failure::kind).collect();
            Err(ResolveError::Ambiguous {
                name: text.to_string(),
                what: format!("a {}", kinds.join(" and a ")),
                options: kinds
                    .iter()
                    .map(|k| format!("`{k}:{text}`"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            })
        }
    }
}

/// The scenario label: a site whose region holds only it says so.
pub(super) fn label(t: &Topology, failure: &Failure) -> String {
    match failure {
        Failure::Cluster(c) => format!("cluster `{}`", t.name(*c)),
        Failure::Site(s) => {
            let site = &t.model.sites[s.0];
            let region = site.region.as_str();
            if t.region_sites(*s) == [*s] && region != site.name.as_str() {
                format!("site `{}` (all of region `{region}`)", site.name.get())
            } else {
                format!("site `{}`", site.name.get())
            }
        }
        Failure::Region(r) => format!("region `{r}`"),
    }
}
