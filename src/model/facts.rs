//! The network facts of the model: addresses and CIDRs as written, firewall rules and
//! their endpoints, nodes inside their site, and `ignore` entries.

#[allow(clippy::wildcard_imports)]
use super::*;

impl Builder {
    pub(super) fn cidrs(&mut self, cidrs: &[Sp<String>]) -> Vec<Sp<Cidr>> {
        cidrs
            .iter()
            .filter_map(|c| match c.parse::<Cidr>() {
                Ok(v) => Some(Sp::new(v, c.span())),
                Err(e) => {
                    self.findings.push(
                        Finding::new(&code::INVALID_VALUE, c.span(), e)
                            .label("not a CIDR")
                            .help("write a network as `address/prefix`, such as `10.10.0.0/16`"),
                    );
                    None
                }
            })
            .collect()
    }

    pub(super) fn addr(&mut self, a: Option<&Sp<String>>, default_port: u16) -> Option<Sp<Addr>> {
        let a = a?;
        match Addr::parse(a, default_port) {
            Ok(v) => Some(Sp::new(v, a.span())),
            Err(e) => {
                self.findings.push(
                    Finding::new(&code::INVALID_VALUE, a.span(), e).help(format!(
                        "write the address as `https://host:{default_port}`"
                    )),
                );
                None
            }
        }
    }

    pub(super) fn ignore(
        &mut self,
        i: &spec::IgnoreSpec,
        cluster_names: &Names<'_>,
    ) -> Option<Ignore> {
        let cluster = i.cluster.as_ref().map(|c| {
            cluster_names
                .resolve(c, self)
                .map(|id| Sp::new(ClusterId(id), c.span()))
        });
        let until = i.until.as_ref().map(|u| match Date::parse(u) {
            Ok(d) => Some(Sp::new(d, u.span())),
            Err(e) => {
                self.findings.push(
                    Finding::new(&code::INVALID_VALUE, u.span(), e)
                        .label("not a date")
                        .help("write the last day the suppression applies, such as `until: 2027-03-01`"),
                );
                None
            }
        });
        Some(Ignore {
            rule: i.rule.clone(),
            cluster: cluster.map_or(Some(None), |c| c.map(Some))?,
            reason: i.reason.clone(),
            until: until.map_or(Some(None), |u| u.map(Some))?,
        })
    }

    pub(super) fn inside_site(
        &mut self,
        cidrs: &[Sp<Cidr>],
        site: &Site,
        sets: &SiteSets,
        kind: &str,
        name: &Sp<String>,
    ) {
        if site.cidrs.is_empty() {
            return;
        }
        for c in cidrs {
            if !sets.covers(c) {
                self.findings.push(
                    Finding::new(
                        &code::CIDR_OUTSIDE_SITE,
                        c.span(),
                        format!(
                            "{kind} `{}` has `{}`, outside every CIDR of site `{}`",
                            name.get(),
                            c.get(),
                            site.name.get()
                        ),
                    )
                    .related(site.name.span(), "site declared here")
                    .help(format!(
                        "correct the CIDR, or add it to the `cidrs` of site `{}`",
                        site.name.get()
                    )),
                );
            }
        }
    }

    pub(super) fn firewall_rule<'a>(
        &mut self,
        r: &'a spec::FirewallRuleSpec,
        rule_names: &mut Names<'a>,
        kinds: &[(&Names<'_>, u8); 4],
    ) -> Option<FirewallRule> {
        self.name(&r.name, rule_names);
        let from = self.endpoint(&r.from, kinds);
        let to = self.endpoint(&r.to, kinds);
        let ports: Vec<_> = r
            .ports
            .iter()
            .filter_map(|p| {
                let parsed = match p.get() {
                    spec::PortSpec::Number(n) => values::check_port(*n).map(PortRange::single),
                    spec::PortSpec::Range(t) => match values::parse_port_text(t) {
                        Ok(n) => Ok(PortRange::single(n)),
                        Err(_) => PortRange::parse(t),
                    },
                };
                match parsed {
                    Ok(v) => Some(Sp::new(v, p.span())),
                    Err(e) => {
                        self.error(&code::INVALID_VALUE, p.span(), e);
                        None
                    }
                }
            })
            .collect();
        if r.ports.is_empty() {
            self.findings.push(
                Finding::new(
                    &code::EMPTY_SECTION,
                    r.ports.span(),
                    format!("firewall rule `{}` allows no ports", r.name.get()),
                )
                .help("list the ports it allows, such as `[8200, 8201]`"),
            );
        }
        Some(FirewallRule {
            name: r.name.clone(),
            from: Sp::new(from?, r.from.span()),
            to: Sp::new(to?, r.to.span()),
            ports,
            protocol: r.protocol.as_ref().map_or(Protocol::Tcp, |p| *p.get()),
            bidirectional: r.bidirectional.as_ref().is_some_and(|b| *b.get()),
        })
    }

    pub(super) fn endpoint(
        &mut self,
        text: &Sp<String>,
        kinds: &[(&Names<'_>, u8); 4],
    ) -> Option<Endpoint> {
        let t = text.as_str();
        if t == "any" {
            return Some(Endpoint::Any);
        }
        if t.contains('/') || t.parse::<std::net::IpAddr>().is_ok() {
            let with_prefix = if t.contains('/') {
                t.to_string()
            } else if t.contains(':') {
                format!("{t}/128")
            } else {
                format!("{t}/32")
            };
            return match with_prefix.parse::<Cidr>() {
                Ok(c) => Some(Endpoint::Cidr(c)),
                Err(e) => {
                    self.error(&code::INVALID_VALUE, text.span(), e);
                    None
                }
            };
        }
        let hits: Vec<(usize, u8, &str)> = kinds
            .iter()
            .filter_map(|(names, k)| names.index.get(t).map(|(i, _)| (*i, *k, names.kind)))
            .collect();
        match hits.as_slice() {
            [(i, k, _)] => Some(match k {
                0 => Endpoint::Site(SiteId(*i)),
                1 => Endpoint::Cluster(ClusterId(*i)),
                2 => Endpoint::Client(ClientId(*i)),
                _ => Endpoint::Service(ServiceId(*i)),
            }),
            [] => {
                let all = kinds.iter().flat_map(|(n, _)| n.index.keys().copied());
                let count = kinds.iter().map(|(n, _)| n.index.len()).sum();
                let mut f = Finding::new(
                    &code::UNKNOWN_REFERENCE,
                    text.span(),
                    format!(
                        "`{t}` is not a site, cluster, client, external service, CIDR or `any`"
                    ),
                );
                f = match self.closest(t, count, all) {
                    Some(c) => f.help(format!("did you mean `{c}`?")),
                    None => f.help("name a declared site, cluster, client or external service, or write a CIDR"),
                };
                self.findings.push(f);
                None
            }
            many => {
                let kinds: Vec<String> = many
                    .iter()
                    .map(|(_, _, k)| {
                        let article = if k.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "an"
                        } else {
                            "a"
                        };
                        format!("{article} {k}")
                    })
                    .collect();
                self.findings.push(
                    Finding::new(
                        &code::AMBIGUOUS_REFERENCE,
                        text.span(),
                        format!("`{t}` names {}", kinds.join(" and ")),
                    )
                    .help("rename one of them so that the firewall rule is unambiguous"),
                );
                None
            }
        }
    }
}
