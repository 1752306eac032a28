//! Address arithmetic over CIDRs for the network planners and rules: supernets (for indexed
//! look-ups), interval sets (does a union of networks cover another network?) and minimal
//! CIDR lists (duplicates and networks inside others removed).

use std::net::IpAddr;

use crate::values::Cidr;

/// The network `cidr` truncated to `prefix` bits (`prefix` ≤ the CIDR's own prefix).
pub fn truncate(cidr: Cidr, prefix: u8) -> Cidr {
    let prefix = prefix.min(cidr.prefix);
    let addr = match cidr.addr {
        IpAddr::V4(a) => {
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            IpAddr::V6((u128::from(a) & mask).into())
        }
    };
    Cidr { addr, prefix }
}

/// Every network containing `cidr`, itself first, down to `/0`.
pub fn supernets(cidr: Cidr) -> impl Iterator<Item = Cidr> {
    (0..=cidr.prefix).rev().map(move |p| truncate(cidr, p))
}

/// Whether two networks share any address.
pub fn overlaps(a: &Cidr, b: &Cidr) -> bool {
    a.contains(b) || b.contains(a)
}

/// The first and last address of a network as integers, with its family (4 or 6).
pub fn bounds(c: &Cidr) -> (u8, u128, u128) {
    match c.addr {
        IpAddr::V4(a) => {
            let start = u128::from(u32::from(a));
            let size = 1u128 << (32 - u32::from(c.prefix));
            (4, start, start + size - 1)
        }
        IpAddr::V6(a) => {
            let start = u128::from(a);
            let host_bits = 128 - u32::from(c.prefix);
            let end = if host_bits == 128 {
                u128::MAX
            } else {
                start | ((1u128 << host_bits) - 1)
            };
            (6, start, end)
        }
    }
}

/// A union of networks as sorted, merged address intervals.
#[derive(Clone, Debug, Default)]
pub struct Ranges {
    intervals: Vec<(u8, u128, u128)>,
}

impl Ranges {
    /// The union of `cidrs`.
    pub fn new<'a>(cidrs: impl IntoIterator<Item = &'a Cidr>) -> Self {
        let mut all: Vec<(u8, u128, u128)> = cidrs.into_iter().map(bounds).collect();
        all.sort_unstable();
        let mut intervals: Vec<(u8, u128, u128)> = Vec::with_capacity(all.len());
        for (family, start, end) in all {
            if let Some(last) = intervals.last_mut()
                && last.0 == family
                && (start <= last.2 || start == last.2.saturating_add(1))
            {
                last.2 = last.2.max(end);
                continue;
            }
            intervals.push((family, start, end));
        }
        Self { intervals }
    }

    /// Whether the union holds no address.
    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Whether every address of `cidr` lies in the union.
    pub fn covers(&self, cidr: &Cidr) -> bool {
        let (family, start, end) = bounds(cidr);
        let i = self
            .intervals
            .partition_point(|iv| (iv.0, iv.1) <= (family, start));
        i > 0 && {
            let iv = self.intervals[i - 1];
            iv.0 == family && iv.1 <= start && end <= iv.2
        }
    }
}

/// `cidrs` sorted, without duplicates and without networks contained in another one.
pub fn minimal(mut cidrs: Vec<Cidr>) -> Vec<Cidr> {
    cidrs.sort_by_key(|c| (u8::from(c.addr.is_ipv6()), c.addr, c.prefix));
    cidrs.dedup();
    let mut out: Vec<Cidr> = Vec::with_capacity(cidrs.len());
    for c in cidrs {
        // Sorted by address then prefix, a containing network comes before what it holds,
        // and the last kept network is the only candidate.
        if out.last().is_some_and(|k| k.contains(&c)) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn supernets_run_from_the_network_to_everything() {
        let all: Vec<String> = supernets(c("10.10.1.0/24"))
            .map(|n| n.to_string())
            .collect();
        assert_eq!(all.len(), 25);
        assert_eq!(all[0], "10.10.1.0/24");
        assert_eq!(all[8], "10.10.0.0/16");
        assert_eq!(all[24], "0.0.0.0/0");
        assert_eq!(supernets(c("fd00::/8")).last().unwrap().to_string(), "::/0");
    }

    #[test]
    fn ranges_cover_only_what_their_union_holds() {
        let r = Ranges::new(&[c("10.10.0.0/24"), c("10.10.1.0/24"), c("fd00::/64")]);
        assert!(r.covers(&c("10.10.0.0/23")));
        assert!(r.covers(&c("10.10.1.128/25")));
        assert!(!r.covers(&c("10.10.0.0/22")));
        assert!(!r.covers(&c("10.11.0.0/24")));
        assert!(r.covers(&c("fd00::/80")));
        assert!(!r.covers(&c("fd01::/64")));
        assert!(Ranges::new(&[c("0.0.0.0/0")]).covers(&c("255.255.255.255/32")));
        assert!(Ranges::new(&[c("::/0")]).covers(&c("ffff::/16")));
        assert!(!Ranges::new(&[c("::/0")]).covers(&c("10.0.0.0/8")));
        assert!(Ranges::new(&[]).is_empty());
    }

    #[test]
    fn minimal_drops_duplicates_and_contained_networks() {
        let m = minimal(vec![
            c("10.10.1.0/24"),
            c("fd00::/8"),
            c("10.10.0.0/16"),
            c("10.20.0.0/16"),
            c("10.10.0.0/16"),
        ]);
        let m: Vec<String> = m.iter().map(ToString::to_string).collect();
        assert_eq!(m, ["10.10.0.0/16", "10.20.0.0/16", "fd00::/8"]);
    }

    #[test]
    fn overlap_is_containment_either_way() {
        assert!(overlaps(&c("10.0.0.0/8"), &c("10.1.0.0/16")));
        assert!(overlaps(&c("10.1.0.0/16"), &c("10.0.0.0/8")));
        assert!(!overlaps(&c("10.1.0.0/16"), &c("10.2.0.0/16")));
    }
}
