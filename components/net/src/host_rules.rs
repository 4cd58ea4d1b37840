//! Host mapping (pref `net.host_rules`), like Chromium's
//! `--host-resolver-rules`: `MAP www.example.test 127.0.0.1,
//! MAP *.example.test 127.0.0.1` sends the connections for those hosts to
//! the given address without asking DNS. The web-platform-tests runner uses
//! it to serve `web-platform.test` and its subdomains from 127.0.0.1.
//!
//! `~NOTFOUND` as the address makes the host fail to resolve, as in Chromium
//! (upstream WPT's `nonexistent.web-platform.test` must not load).
//!
//! Only the address a connection goes to changes: the URL keeps its host, so
//! the `Host` header, TLS server name and certificate check, origins and
//! secure-context rules all see `web-platform.test`, not 127.0.0.1
//! (`http://web-platform.test` is still not potentially trustworthy).

use std::net::{IpAddr, SocketAddr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// A `net.host_rules` value that is not a list of rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "pref \"net.host_rules\": {reason} in rule {rule:?} \
     (expected comma-separated rules \"MAP <host or *.suffix> <ip-address or ~NOTFOUND>\")"
)]
pub struct HostRulesError {
    rule: String,
    reason: &'static str,
}

/// Where a rule sends a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostMapping {
    Address(IpAddr),
    /// `~NOTFOUND`: the host does not resolve.
    NotFound,
}

/// One `MAP pattern address` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
struct HostRule {
    /// Lowercase host name, where `*` matches any run of characters
    /// (Chromium's `MatchPattern`): `*.example.test` matches
    /// `a.example.test` and `a.b.example.test`, not `example.test`.
    pattern: String,
    mapping: HostMapping,
}

/// The parsed rules, tried in order: the first whose pattern matches wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostRules {
    rules: Vec<HostRule>,
}

impl HostRules {
    /// Parses `MAP <pattern> <ip-address>` rules separated by commas; empty
    /// text means no rules. An IPv6 address may be written with or without
    /// brackets.
    pub fn parse(text: &str) -> Result<HostRules, HostRulesError> {
        let mut rules = Vec::new();
        // Empty pieces (a trailing comma) are skipped, as Chromium does.
        for rule in text
            .split(',')
            .map(str::trim)
            .filter(|rule| !rule.is_empty())
        {
            let error = |reason| HostRulesError {
                rule: rule.to_owned(),
                reason,
            };
            let words: Vec<&str> = rule.split_whitespace().collect();
            let [verb, pattern, address] = words[..] else {
                return Err(error("not three words"));
            };
            if !verb.eq_ignore_ascii_case("MAP") {
                return Err(error("only MAP rules are supported"));
            }
            let valid_pattern = pattern
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '*'));
            if !valid_pattern {
                return Err(error("the pattern is not a host name (punycode it)"));
            }
            let unbracketed = address
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .unwrap_or(address);
            let mapping = if address == "~NOTFOUND" {
                HostMapping::NotFound
            } else {
                HostMapping::Address(
                    unbracketed
                        .parse::<IpAddr>()
                        .map_err(|_| error("the replacement is not an IP address"))?,
                )
            };
            rules.push(HostRule {
                pattern: pattern.to_ascii_lowercase(),
                mapping,
            });
        }
        Ok(HostRules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Where the first matching rule sends `host`, or `None` to ask DNS.
    pub fn lookup(&self, host: &str) -> Option<HostMapping> {
        let host = host.to_ascii_lowercase();
        self.rules
            .iter()
            .find(|rule| glob_match(rule.pattern.as_bytes(), host.as_bytes()))
            .map(|rule| rule.mapping)
    }

    /// The address `host` is mapped to; `None` to ask DNS or for a host
    /// mapped to `~NOTFOUND`.
    pub fn map(&self, host: &str) -> Option<IpAddr> {
        match self.lookup(host)? {
            HostMapping::Address(address) => Some(address),
            HostMapping::NotFound => None,
        }
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any (possibly
/// empty) run of bytes.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| glob_match(rest, &text[skip..])),
        Some((first, rest)) => text
            .split_first()
            .is_some_and(|(byte, text_rest)| byte == first && glob_match(rest, text_rest)),
    }
}

/// ureq's resolver with [`HostRules`] applied first.
#[derive(Debug, Default)]
pub(crate) struct HostRulesResolver {
    rules: HostRules,
    dns: DefaultResolver,
}

impl HostRulesResolver {
    pub fn new(rules: HostRules) -> HostRulesResolver {
        HostRulesResolver {
            rules,
            dns: DefaultResolver::default(),
        }
    }
}

impl Resolver for HostRulesResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        // `Uri::host` keeps an IPv6 literal's brackets; no pattern matches one anyway.
        let address = match uri.host().and_then(|host| self.rules.lookup(host)) {
            None => return self.dns.resolve(uri, config, timeout),
            Some(HostMapping::NotFound) => return Err(ureq::Error::HostNotFound),
            Some(HostMapping::Address(address)) => address,
        };
        let port = uri.port_u16().or_else(|| match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let Some(port) = port else {
            // Not a URL ureq would connect to; let the default resolver say why.
            return self.dns.resolve(uri, config, timeout);
        };
        let mut addresses = self.empty();
        addresses.push(SocketAddr::new(address, port));
        Ok(addresses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WPT_RULES: &str = "MAP *.web-platform.test 127.0.0.1, MAP web-platform.test 127.0.0.1, \
                             MAP *.not-web-platform.test 127.0.0.1, \
                             MAP not-web-platform.test 127.0.0.1";

    fn localhost() -> Option<IpAddr> {
        Some("127.0.0.1".parse().unwrap())
    }

    #[test]
    fn empty_text_has_no_rules() {
        assert!(HostRules::parse("").unwrap().is_empty());
        assert!(HostRules::parse(" , ").unwrap().is_empty());
        assert_eq!(HostRules::default().map("example.com"), None);
    }

    #[test]
    fn wpt_rules_map_the_test_hosts() {
        let rules = HostRules::parse(WPT_RULES).unwrap();
        assert_eq!(rules.map("web-platform.test"), localhost());
        assert_eq!(rules.map("www.web-platform.test"), localhost());
        assert_eq!(rules.map("www1.WEB-platform.test"), localhost());
        assert_eq!(rules.map("xn--lve-6lad.web-platform.test"), localhost());
        assert_eq!(rules.map("not-web-platform.test"), localhost());
        assert_eq!(rules.map("www2.not-web-platform.test"), localhost());
        assert_eq!(rules.map("nonexistent.test"), None);
        assert_eq!(rules.map("web-platform.test.example"), None);
        assert_eq!(rules.map("example.com"), None);
    }

    #[test]
    fn star_suffix_needs_the_dot() {
        let rules = HostRules::parse("MAP *.example.test 10.0.0.1").unwrap();
        assert_eq!(rules.map("a.b.example.test"), "10.0.0.1".parse().ok());
        assert_eq!(rules.map("example.test"), None);
        assert_eq!(rules.map("badexample.test"), None);
        // A bare `*` maps every host, as in Chromium.
        let all = HostRules::parse("map * ::1").unwrap();
        assert_eq!(all.map("anything.example"), "::1".parse().ok());
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = HostRules::parse("MAP a.test 10.0.0.1, MAP *.test 10.0.0.2").unwrap();
        assert_eq!(rules.map("a.test"), "10.0.0.1".parse().ok());
        assert_eq!(rules.map("b.test"), "10.0.0.2".parse().ok());
    }

    #[test]
    fn notfound_makes_a_host_fail() {
        let rules =
            HostRules::parse("MAP nonexistent.*.test ~NOTFOUND, MAP *.test 127.0.0.1").unwrap();
        assert_eq!(
            rules.lookup("nonexistent.web-platform.test"),
            Some(HostMapping::NotFound)
        );
        assert_eq!(rules.map("nonexistent.web-platform.test"), None);
        assert_eq!(rules.map("www.web-platform.test"), localhost());
    }

    #[test]
    fn ipv6_addresses_with_or_without_brackets() {
        let rules = HostRules::parse("MAP a.test [::1], MAP b.test ::1").unwrap();
        assert_eq!(rules.map("a.test"), "::1".parse().ok());
        assert_eq!(rules.map("b.test"), "::1".parse().ok());
    }

    #[test]
    fn malformed_rules_are_errors() {
        for (text, reason) in [
            ("MAP a.test", "not three words"),
            ("MAP a.test 127.0.0.1 extra", "not three words"),
            ("EXCLUDE a.test 127.0.0.1", "only MAP rules are supported"),
            (
                "MAP a.test localhost",
                "the replacement is not an IP address",
            ),
            (
                "MAP a.test 127.0.0.1:8000",
                "the replacement is not an IP address",
            ),
            (
                "MAP élève.test 127.0.0.1",
                "the pattern is not a host name (punycode it)",
            ),
        ] {
            let error = HostRules::parse(&format!("MAP ok.test 127.0.0.1, {text}")).unwrap_err();
            assert_eq!(error.reason, reason, "{text}");
            assert_eq!(error.rule, text);
        }
        let error = HostRules::parse("MAP a.test").unwrap_err();
        assert_eq!(
            error.to_string(),
            "pref \"net.host_rules\": not three words in rule \"MAP a.test\" \
             (expected comma-separated rules \"MAP <host or *.suffix> <ip-address or ~NOTFOUND>\")"
        );
    }
}
