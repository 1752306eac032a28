//! Parsed scalar values of the format: names, CIDRs, addresses, ports and Vault versions,
//! plus the "did you mean" helper used by load and model errors.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// Checks a name: lowercase letters, digits and `-`, starting and ending with a letter or
/// digit, at most 63 characters (a DNS label).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if name.len() > 63 {
        return Err(format!("name `{name}` is longer than 63 characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "name `{name}` contains `{c}`; names use lowercase letters, digits and `-`"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(format!(
            "name `{name}` starts or ends with `-`; names start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// A network in CIDR notation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    /// The network address (host bits clear).
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl Cidr {
    /// Whether `other` lies entirely inside this network.
    pub fn contains(&self, other: &Cidr) -> bool {
        if other.prefix < self.prefix {
            return false;
        }
        match (self.addr, other.addr) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = mask_v4(self.prefix);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = mask_v6(self.prefix);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }

    /// This network's enclosing network of prefix length `prefix` (at most its own).
    #[must_use]
    pub fn truncated(&self, prefix: u8) -> Cidr {
        let prefix = prefix.min(self.prefix);
        let addr = match self.addr {
            IpAddr::V4(a) => IpAddr::V4((u32::from(a) & mask_v4(prefix)).into()),
            IpAddr::V6(a) => IpAddr::V6((u128::from(a) & mask_v6(prefix)).into()),
        };
        Cidr { addr, prefix }
    }

    /// Whether this is the whole address space (`0.0.0.0/0` or `::/0`).
    pub fn is_everything(&self) -> bool {
        self.prefix == 0
    }

    /// Whether the network means "everything" in a firewall: the whole address space
    /// (`0.0.0.0/0`, `::/0`), every IPv4-mapped IPv6 address (`::ffff:0:0/96`, which holds
    /// all of IPv4) or any network broader than a /8.
    pub fn is_catch_all(&self) -> bool {
        const MAPPED: Cidr = Cidr {
            addr: IpAddr::V6(std::net::Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0)),
            prefix: 96,
        };
        self.prefix < 8 || self.contains(&MAPPED)
    }

    /// Whether this is an IPv4 network.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }
}

fn mask_v4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask_v6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (ip, prefix) = s.split_once('/').ok_or_else(|| {
            format!(
                "`{s}` is not a CIDR; write an address and a prefix length, such as `10.0.0.0/16`"
            )
        })?;
        let addr: IpAddr = ip
            .parse()
            .map_err(|_| format!("`{ip}` in `{s}` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("prefix length `{prefix}` in `{s}` must be 0–{max}"))?;
        let network = match addr {
            IpAddr::V4(a) => IpAddr::V4((u32::from(a) & mask_v4(prefix)).into()),
            IpAddr::V6(a) => IpAddr::V6((u128::from(a) & mask_v6(prefix)).into()),
        };
        if network != addr {
            return Err(format!(
                "`{s}` has host bits set; the network is `{network}/{prefix}`"
            ));
        }
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The host of an address: a DNS name or an IP literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// A DNS name, lowercased.
    Name(String),
    /// An IP literal.
    Ip(IpAddr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n),
            Self::Ip(IpAddr::V6(a)) => write!(f, "[{a}]"),
            Self::Ip(a) => write!(f, "{a}"),
        }
    }
}

/// A parsed `scheme://host[:port][/path]` address such as `api_addr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addr {
    /// `http` or `https`.
    pub scheme: String,
    /// The host.
    pub host: Host,
    /// The port, explicit or the default for the field.
    pub port: u16,
    /// Whether the port was written in the address.
    pub explicit_port: bool,
}

impl Addr {
    /// Parses `text`, using `default_port` when it has none.
    pub fn parse(text: &str, default_port: u16) -> Result<Self, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("`{text}` is not a URL; write it as `https://host:port`"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(format!(
                "scheme `{scheme}` in `{text}` is not supported; use `https`"
            ));
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(format!("`{text}` carries user information; remove it"));
        }
        let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
            let (ip, after) = inner
                .split_once(']')
                .ok_or_else(|| format!("`{text}` has an unclosed `[`"))?;
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("`{ip}` in `{text}` is not an IPv6 address"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return Err(format!("unexpected `{after}` in `{text}`")),
            };
            (Host::Ip(ip), port)
        } else {
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            (parse_host(host, text)?, port)
        };
        let (port, explicit_port) = match port {
            Some(p) => (
                parse_port_text(p).map_err(|e| format!("{e} in `{text}`"))?,
                true,
            ),
            None => (default_port, false),
        };
        Ok(Self {
            scheme,
            host,
            port,
            explicit_port,
        })
    }
}

fn parse_host(host: &str, text: &str) -> Result<Host, String> {
    if host.is_empty() {
        return Err(format!("`{text}` has no host"));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    check_dns_name(host).map_err(|e| format!("{e} in `{text}`"))?;
    Ok(Host::Name(host.to_ascii_lowercase()))
}

/// Checks a DNS name (or suffix): dot-separated labels of letters, digits and `-`.
pub fn check_dns_name(name: &str) -> Result<(), String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() || trimmed.len() > 253 {
        return Err(format!("`{name}` is not a valid DNS name"));
    }
    for label in trimmed.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!("`{name}` is not a valid DNS name"));
        }
    }
    Ok(())
}

/// Parses a port number written as text.
pub fn parse_port_text(text: &str) -> Result<u16, String> {
    match text.parse::<i64>() {
        Ok(n) => check_port(n),
        Err(_) => Err(format!("`{text}` is not a port number")),
    }
}

/// Checks that `n` is a port (1–65535).
pub fn check_port(n: i64) -> Result<u16, String> {
    u16::try_from(n)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("port {n} is outside 1–65535"))
}

/// An inclusive port range; a single port has `start == end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port.
    pub end: u16,
}

impl PortRange {
    /// A single port.
    pub const fn single(port: u16) -> Self {
        Self {
            start: port,
            end: port,
        }
    }

    /// Whether `port` is in the range.
    pub const fn contains(self, port: u16) -> bool {
        self.start <= port && port <= self.end
    }

    /// Parses `"from-to"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| format!("`{text}` is not a port or a range like `8200-8201`"))?;
        let start = parse_port_text(a.trim())?;
        let end = parse_port_text(b.trim())?;
        if start > end {
            return Err(format!("range `{text}` ends before it starts"));
        }
        Ok(Self { start, end })
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// Pre-release labels of Vault releases, each followed by its number (`-alpha1`, `-beta2`,
/// `-rc1`): the tags of hashicorp/vault (`v1.15.0-rc1`) and the `version` that a release
/// candidate reports in `sys/health`.
pub const VERSION_PRE_RELEASES: [&str; 3] = ["alpha", "beta", "rc"];

/// Build metadata of Vault Enterprise binaries, after `+`: `ent` (Enterprise), `ent.hsm`
/// (Enterprise with HSM support), `ent.fips1402` / `ent.fips1403` (FIPS 140-2 / 140-3
/// Inside builds) and their HSM variants `ent.hsm.fips1402` / `ent.hsm.fips1403`; and, before
/// Vault 1.10's licensing change, `prem`, `prem.hsm` and `pro` (Premium, Premium with HSM,
/// Pro). These are the strings `vault version` and `sys/health` report, such as
/// `1.21.8+ent.hsm.fips1403` or `1.9.0+prem`.
pub const VERSION_BUILDS: [&str; 9] = [
    "ent",
    "ent.hsm",
    "ent.fips1402",
    "ent.hsm.fips1402",
    "ent.fips1403",
    "ent.hsm.fips1403",
    "prem",
    "prem.hsm",
    "pro",
];

/// The most digits of one number of a version (so that every accepted number fits).
const VERSION_DIGITS: usize = 9;

/// The most digits of a pre-release number (`rc12`).
const PRE_RELEASE_DIGITS: usize = 3;

/// The regular expression of a Vault version that the JSON Schema carries, built from the
/// same tables as [`Version::parse`] ([`VERSION_PRE_RELEASES`], [`VERSION_BUILDS`]) so the
/// two cannot disagree: an optional `v`, two or three numbers, an optional pre-release such
/// as `-rc1`, an optional known build such as `+ent.hsm.fips1403`.
pub fn version_pattern() -> String {
    let n = format!("[0-9]{{1,{VERSION_DIGITS}}}");
    let builds: Vec<String> = VERSION_BUILDS
        .iter()
        .map(|b| b.replace('.', "\\."))
        .collect();
    format!(
        "^v?{n}\\.{n}(\\.{n})?(-({})[0-9]{{1,{PRE_RELEASE_DIGITS}}})?(\\+({}))?$",
        VERSION_PRE_RELEASES.join("|"),
        builds.join("|")
    )
}

/// A Vault version: numeric core, optional pre-release and build (see [`version_pattern`]).
/// Two versions that differ only in build (`+ent`, `+prem`) compare equal.
#[derive(Clone, Debug)]
pub struct Version {
    /// Major, minor, patch.
    pub core: (u64, u64, u64),
    /// Pre-release label and number after `-` (sorts before the release), if any.
    pub pre: Option<(String, u32)>,
    /// The version as written (it matches the grammar, so it is plain ASCII with no
    /// character that any output format treats specially).
    pub text: String,
}

impl Version {
    /// Parses `1.17.3`, `v1.17.3+ent`, `1.17.0-rc1`, `1.17`, `1.21.8+ent.hsm.fips1403`;
    /// anything else (another suffix, spaces, a newline) is an error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{text}` is not a Vault version; write it as `1.17.3`, `1.17.3+ent` or `1.17.0-rc1` \
                 (the builds are listed in `vrt schema`)"
            )
        };
        let t = text.strip_prefix('v').unwrap_or(text);
        let (t, build) = match t.split_once('+') {
            Some((t, b)) => (t, Some(b)),
            None => (t, None),
        };
        if build.is_some_and(|b| !VERSION_BUILDS.contains(&b)) {
            return Err(bad());
        }
        let (numbers, pre) = match t.split_once('-') {
            Some((n, p)) => (n, Some(parse_pre_release(p).ok_or_else(bad)?)),
            None => (t, None),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let mut nums = [0u64; 3];
        for (slot, part) in nums.iter_mut().zip(&parts) {
            if !all_digits(part, VERSION_DIGITS) {
                return Err(bad());
            }
            *slot = part.parse().map_err(|_| bad())?;
        }
        Ok(Self {
            core: (nums[0], nums[1], nums[2]),
            pre,
            text: text.to_string(),
        })
    }
}

/// Whether `s` is 1 to `max` ASCII digits.
fn all_digits(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `rc1` → (`rc`, 1), for the labels of [`VERSION_PRE_RELEASES`].
fn parse_pre_release(p: &str) -> Option<(String, u32)> {
    let label = VERSION_PRE_RELEASES.iter().find(|l| {
        p.strip_prefix(**l)
            .is_some_and(|n| all_digits(n, PRE_RELEASE_DIGITS))
    })?;
    let n = p[label.len()..].parse().ok()?;
    Some(((*label).to_string(), n))
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // A pre-release sorts before its release; build suffixes (`+ent`) do not order.
        self.core
            .cmp(&other.core)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
///
/// Cheap enough to call once per unknown reference in a file of 10,000 names: a word longer
/// than any name gets no suggestion, a candidate whose length differs by more than the
/// allowed distance is skipped without comparing, and a comparison stops as soon as the
/// distance must exceed the best found so far.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    const LONGEST: usize = 128;
    let word: Vec<char> = word.chars().collect();
    if word.len() > LONGEST {
        return None;
    }
    let mut limit = (word.len() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let len = c.chars().count();
        if len.abs_diff(word.len()) > limit {
            continue;
        }
        if let Some(d) = edit_distance_within(&word, c, limit)
            && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc))
        {
            best = Some((d, c));
            limit = d;
        }
    }
    best.map(|(_, c)| c)
}

/// The edit distance between `a` and `b`, or `None` when it exceeds `limit`.
fn edit_distance_within(a: &[char], b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|m| *m > limit) {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_gives_the_enclosing_network() {
        let c: Cidr = "10.10.64.0/18".parse().unwrap();
        assert_eq!(c.truncated(16), "10.10.0.0/16".parse().unwrap());
        assert_eq!(c.truncated(0), "0.0.0.0/0".parse().unwrap());
        assert_eq!(c.truncated(30), c);
        let v6: Cidr = "2001:db8:1::/48".parse().unwrap();
        assert_eq!(v6.truncated(32), "2001:db8::/32".parse().unwrap());
        for p in 0..=18 {
            assert!(c.truncated(p).contains(&c));
        }
    }

    #[test]
    fn names() {
        assert!(check_name("dc-a1").is_ok());
        assert!(check_name("DC").is_err());
        assert!(check_name("-a").is_err());
        assert!(check_name("a_b").is_err());
        assert!(check_name("").is_err());
    }

    #[test]
    fn cidrs() {
        let net: Cidr = "10.10.0.0/16".parse().unwrap();
        assert!(net.contains(&"10.10.1.0/24".parse().unwrap()));
        assert!(!net.contains(&"10.11.1.0/24".parse().unwrap()));
        assert!(!net.contains(&"10.0.0.0/8".parse().unwrap()));
        assert!(
            "10.10.1.0/16"
                .parse::<Cidr>()
                .unwrap_err()
                .contains("10.10.0.0/16")
        );
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("10.0.0.0".parse::<Cidr>().is_err());
        assert!("fd00::/8".parse::<Cidr>().is_ok());
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().is_everything());
    }

    #[test]
    fn addresses() {
        let a = Addr::parse("https://vault.example.com:8300", 8200).unwrap();
        assert_eq!((a.port, a.explicit_port), (8300, true));
        assert_eq!(a.host, Host::Name("vault.example.com".into()));
        let b = Addr::parse("https://10.0.0.1", 8201).unwrap();
        assert_eq!(
            (b.port, b.host),
            (8201, Host::Ip("10.0.0.1".parse().unwrap()))
        );
        assert!(Addr::parse("https://[fd00::1]:8201", 1).is_ok());
        assert!(Addr::parse("vault.example.com:8200", 1).is_err());
        assert!(Addr::parse("ftp://x", 1).is_err());
        assert!(Addr::parse("https://x:99999", 1).is_err());
        assert!(Addr::parse("https://bad_host:1", 1).is_err());
    }

    #[test]
    fn ports() {
        assert_eq!(
            PortRange::parse("8200-8201").unwrap(),
            PortRange {
                start: 8200,
                end: 8201
            }
        );
        assert!(PortRange::parse("8201-8200").is_err());
        assert!(check_port(0).is_err());
        assert!(check_port(65536).is_err());
    }

    #[test]
    fn versions_order_numerically() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("1.9.0") < v("1.10.0"));
        assert_eq!(v("1.17.3+ent"), v("1.17.3"));
        assert!(v("1.17.0-rc1") < v("1.17.0"));
        assert!(v("1.17.0-beta2") < v("1.17.0-rc1"));
        assert!(v("1.17.0-rc2") < v("1.17.0-rc10"));
        assert!(Version::parse("latest").is_err());
        assert!(Version::parse("1.x.0").is_err());
    }

    #[test]
    fn versions_are_strict() {
        for ok in [
            "1.17.3",
            "v1.17.3",
            "1.17",
            "1.17.3+ent",
            "1.17.3+ent.hsm",
            "1.17.3+ent.fips1402",
            "1.21.8+ent.hsm.fips1403",
            "1.9.0+prem",
            "0.9.5+prem.hsm",
            "1.5.0+pro",
            "1.15.0-rc1",
            "1.16.0-beta1+ent.hsm.fips1403",
            "1.13.0-alpha2",
        ] {
            assert!(Version::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "1.17.3+ent\n## Steps",
            "1.17.3+evil",
            "1.17.3-rc",
            "1.17.3-rc1-rc2",
            "1.17.3+ent+ent",
            "1.17.3 ",
            "1.17.3-",
            "1.17.3+",
            "1.17.3+ent-1",
            "1.17.3.4",
            "1.1234567890.0",
            "vv1.0",
            "1.17.3-\u{1b}[31m",
            "1.17.3+ent\u{202e}",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn did_you_mean() {
        let keys = ["replicates_from", "role", "site"];
        assert_eq!(closest("replicate_from", keys), Some("replicates_from"));
        assert_eq!(closest("zzz", keys), None);
    }
}
