//! A worker's router rules (the ServiceWorker Static Routing API): their verification when
//! `addRoutes()` adds them, and the match of a request against them before a fetch event.
//!
//! <https://w3c.github.io/ServiceWorker/#verify-router-condition-algorithm> and
//! <https://w3c.github.io/ServiceWorker/#get-router-source-algorithm>. URL patterns are
//! resolved against the worker's script URL (a pattern string, or the parts of one without a
//! `baseURL`) and compiled once, when the rules are added or loaded.

use std::sync::Arc;

use script_traits::{RouterCondition, RouterRule, RouterSource, RunningStatus, UrlPatternInput};
use url::Url;
use urlpattern::{UrlPattern, UrlPatternInit, UrlPatternMatchInput, UrlPatternOptions};

/// How deep `or` and `not` may nest, and how many conditions a worker's rules may hold in
/// all: bgsync's limits (the spec leaves them to the engine), so a hostile script cannot make
/// every request of its clients walk a huge tree.
pub const MAX_CONDITION_DEPTH: usize = 10;
pub const MAX_CONDITIONS: usize = 1024;

/// A worker's rules, as `addRoutes()` gave them (what is stored) and compiled.
#[derive(Clone, Debug, Default)]
pub struct RouterRules {
    rules: Vec<RouterRule>,
    /// `rules`' conditions, compiled (shared by the copies of the rules).
    compiled: Vec<Arc<Compiled>>,
    conditions: usize,
}

/// A request, as far as router conditions look at it.
#[derive(Clone, Copy, Debug)]
pub struct RouteRequest<'a> {
    pub url: &'a Url,
    pub method: &'a str,
    pub mode: &'a str,
    pub destination: &'a str,
}

/// One verified condition, its URL pattern compiled.
#[derive(Debug)]
struct Compiled {
    pattern: Option<UrlPattern>,
    method: Option<String>,
    mode: Option<String>,
    destination: Option<String>,
    running_status: Option<RunningStatus>,
    or: Option<Vec<Compiled>>,
    not: Option<Box<Compiled>>,
}

impl RouterRules {
    /// The rules in the order they were added.
    pub fn rules(&self) -> &[RouterRule] {
        &self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules with `added` appended, if every one of them verifies (Verify Router
    /// Condition); else why not (a TypeError's message). Nothing is added unless all are.
    pub fn with(&self, added: &[RouterRule], script_url: &Url) -> Result<RouterRules, String> {
        let mut compiled = self.compiled.clone();
        let mut conditions = self.conditions;
        for rule in added {
            compiled.push(Arc::new(verify(
                &rule.condition,
                script_url,
                0,
                &mut conditions,
            )?));
        }
        let mut rules = self.rules.clone();
        rules.extend(added.iter().cloned());
        Ok(RouterRules {
            rules,
            compiled,
            conditions,
        })
    }

    /// Rules read back from storage (written by [`RouterRules::to_json`]); rules that no
    /// longer verify are dropped with a warning, never the worker.
    pub fn from_json(json: &str, script_url: &Url) -> RouterRules {
        let rules: Vec<RouterRule> = match serde_json::from_str(json) {
            Ok(rules) => rules,
            Err(error) => {
                log::error!(
                    target: crate::registry::LOG_TARGET,
                    "stored router rules of {script_url} do not read ({error}); dropped"
                );
                return RouterRules::default();
            }
        };
        let mut loaded = RouterRules::default();
        for rule in rules {
            match loaded.with(std::slice::from_ref(&rule), script_url) {
                Ok(with_rule) => loaded = with_rule,
                Err(error) => log::error!(
                    target: crate::registry::LOG_TARGET,
                    "a stored router rule of {script_url} does not verify ({error}); dropped"
                ),
            }
        }
        loaded
    }

    /// What storage keeps (`None`: no rules).
    pub fn to_json(&self) -> Option<String> {
        if self.rules.is_empty() {
            return None;
        }
        serde_json::to_string(&self.rules).ok()
    }

    /// Get Router Source: the source of the first rule whose condition `request` meets, with
    /// the worker `running` or not; `None` when no rule matches (the fetch event, as without
    /// rules).
    pub fn source_for(&self, request: &RouteRequest<'_>, running: bool) -> Option<&RouterSource> {
        self.compiled
            .iter()
            .zip(&self.rules)
            .find(|(condition, _)| condition.matches(request, running))
            .map(|(_, rule)| &rule.source)
    }
}

/// Verify Router Condition, compiling its pattern. `count` counts conditions across the
/// worker's rules.
fn verify(
    condition: &RouterCondition,
    script_url: &Url,
    depth: usize,
    count: &mut usize,
) -> Result<Compiled, String> {
    if depth > MAX_CONDITION_DEPTH {
        return Err(format!(
            "router conditions nest more than {MAX_CONDITION_DEPTH} deep"
        ));
    }
    *count += 1;
    if *count > MAX_CONDITIONS {
        return Err(format!(
            "a worker's router rules may hold at most {MAX_CONDITIONS} conditions"
        ));
    }
    let mut has_condition = false;
    let pattern = match &condition.url_pattern {
        Some(input) => {
            has_condition = true;
            Some(url_pattern(input, script_url)?)
        }
        None => None,
    };
    let method = match &condition.request_method {
        Some(method) => {
            has_condition = true;
            Some(normalized_method(method)?)
        }
        None => None,
    };
    has_condition |= condition.request_mode.is_some()
        || condition.request_destination.is_some()
        || condition.running_status.is_some();
    let or = match &condition.or {
        Some(conditions) => {
            // `or` stands alone: it is the whole condition.
            if has_condition {
                return Err("an `or` condition cannot be combined with other conditions".into());
            }
            has_condition = true;
            let verified = conditions
                .iter()
                .map(|condition| verify(condition, script_url, depth + 1, count))
                .collect::<Result<Vec<_>, _>>()?;
            Some(verified)
        }
        None => None,
    };
    let not = match &condition.not {
        Some(inner) => {
            if has_condition {
                return Err("a `not` condition cannot be combined with other conditions".into());
            }
            has_condition = true;
            Some(Box::new(verify(inner, script_url, depth + 1, count)?))
        }
        None => None,
    };
    if !has_condition {
        return Err("a router condition must have at least one member".into());
    }
    Ok(Compiled {
        pattern,
        method,
        mode: condition.request_mode.clone(),
        destination: condition.request_destination.clone(),
        running_status: condition.running_status,
        or,
        not,
    })
}

/// A condition's URL pattern, resolved against the worker's script URL: a constructor string
/// with the script URL as base, or the parts of a pattern with the script URL as base unless
/// they name one. A pattern with regular-expression groups is refused (the spec's check, so
/// matching stays cheap and safe).
fn url_pattern(input: &UrlPatternInput, script_url: &Url) -> Result<UrlPattern, String> {
    let init =
        match input {
            UrlPatternInput::String(pattern) => UrlPatternInit::parse_constructor_string::<
                regex::Regex,
            >(pattern, Some(script_url.clone()))
            .map_err(|error| format!("invalid urlPattern {pattern:?}: {error}"))?,
            UrlPatternInput::Init(parts) => {
                let base_url = match &parts.base_url {
                    Some(base) => Url::parse(base)
                        .map_err(|error| format!("invalid urlPattern baseURL {base:?}: {error}"))?,
                    None => script_url.clone(),
                };
                UrlPatternInit {
                    protocol: parts.protocol.clone(),
                    username: parts.username.clone(),
                    password: parts.password.clone(),
                    hostname: parts.hostname.clone(),
                    port: parts.port.clone(),
                    pathname: parts.pathname.clone(),
                    search: parts.search.clone(),
                    hash: parts.hash.clone(),
                    base_url: Some(base_url),
                }
            }
        };
    let pattern = UrlPattern::parse(init, UrlPatternOptions::default())
        .map_err(|error| format!("invalid urlPattern: {error}"))?;
    if pattern.has_regexp_groups() {
        return Err("a urlPattern with regular expression groups is not allowed".into());
    }
    Ok(pattern)
}

/// A `requestMethod`: a method token, not a forbidden method, normalized as Fetch does.
fn normalized_method(method: &str) -> Result<String, String> {
    base::method::normalize_method(method).map_err(|error| match error {
        base::method::MethodError::NotAToken => format!("{method:?} is not a valid HTTP method"),
        base::method::MethodError::Forbidden => format!("{method:?} is a forbidden method"),
    })
}

impl Compiled {
    /// Match Router Condition: every member given holds.
    fn matches(&self, request: &RouteRequest<'_>, running: bool) -> bool {
        if let Some(pattern) = &self.pattern {
            let matched = pattern
                .test(UrlPatternMatchInput::Url(request.url.clone()))
                .unwrap_or(false);
            if !matched {
                return false;
            }
        }
        if self
            .method
            .as_ref()
            .is_some_and(|method| *method != request.method)
        {
            return false;
        }
        if self.mode.as_ref().is_some_and(|mode| mode != request.mode) {
            return false;
        }
        if self
            .destination
            .as_ref()
            .is_some_and(|destination| destination != request.destination)
        {
            return false;
        }
        if let Some(status) = self.running_status {
            if (status == RunningStatus::Running) != running {
                return false;
            }
        }
        if let Some(or) = &self.or {
            if !or
                .iter()
                .any(|condition| condition.matches(request, running))
            {
                return false;
            }
        }
        if let Some(not) = &self.not {
            if not.matches(request, running) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use script_traits::UrlPatternParts;

    use super::*;

    fn script() -> Url {
        Url::parse("https://a.test/app/sw.js").unwrap()
    }

    fn rule(condition: RouterCondition, source: RouterSource) -> RouterRule {
        RouterRule { condition, source }
    }

    fn pattern(text: &str) -> RouterCondition {
        RouterCondition {
            url_pattern: Some(UrlPatternInput::String(text.into())),
            ..Default::default()
        }
    }

    fn get(url: &str) -> (Url, &'static str) {
        (Url::parse(url).unwrap(), "GET")
    }

    fn source_of<'a>(
        rules: &'a RouterRules,
        (url, method): &(Url, &str),
        running: bool,
    ) -> Option<&'a RouterSource> {
        rules.source_for(
            &RouteRequest {
                url,
                method,
                mode: "cors",
                destination: "",
            },
            running,
        )
    }

    #[test]
    fn patterns_resolve_against_the_script_url_and_the_first_matching_rule_wins() {
        let rules = RouterRules::default()
            .with(
                &[
                    rule(pattern("/app/api/*"), RouterSource::Network),
                    rule(
                        RouterCondition {
                            url_pattern: Some(UrlPatternInput::Init(UrlPatternParts {
                                pathname: Some("*.png".into()),
                                ..Default::default()
                            })),
                            ..Default::default()
                        },
                        RouterSource::Cache { cache_name: None },
                    ),
                    rule(pattern("/*"), RouterSource::FetchEvent),
                ],
                &script(),
            )
            .unwrap();
        let network = Some(&RouterSource::Network);
        assert_eq!(
            source_of(&rules, &get("https://a.test/app/api/x"), false),
            network
        );
        // A relative pathname is resolved against the script's directory.
        assert_eq!(
            source_of(&rules, &get("https://a.test/app/img/a.png"), false),
            Some(&RouterSource::Cache { cache_name: None })
        );
        assert_eq!(
            source_of(&rules, &get("https://a.test/img/a.png"), false),
            Some(&RouterSource::FetchEvent)
        );
        assert_eq!(
            source_of(&rules, &get("https://a.test/other"), false),
            Some(&RouterSource::FetchEvent)
        );
        // Another origin: the patterns inherit the script's.
        assert_eq!(
            source_of(&rules, &get("https://b.test/app/api/x"), false),
            None
        );
    }

    #[test]
    fn methods_running_status_or_and_not_combine_as_the_spec_says() {
        let post_not_running = RouterCondition {
            request_method: Some("post".into()),
            running_status: Some(RunningStatus::NotRunning),
            ..Default::default()
        };
        let not_api = RouterCondition {
            not: Some(Box::new(pattern("/api/*"))),
            ..Default::default()
        };
        let either = RouterCondition {
            or: Some(vec![pattern("/a"), pattern("/b")]),
            ..Default::default()
        };
        let rules = RouterRules::default()
            .with(
                &[
                    rule(post_not_running, RouterSource::Network),
                    rule(either, RouterSource::RaceNetworkAndFetchHandler),
                    rule(not_api, RouterSource::FetchEvent),
                ],
                &script(),
            )
            .unwrap();
        let post = (Url::parse("https://a.test/api/x").unwrap(), "POST");
        assert_eq!(
            source_of(&rules, &post, false),
            Some(&RouterSource::Network)
        );
        assert_eq!(
            source_of(&rules, &post, true),
            None,
            "running: the rule does not apply"
        );
        assert_eq!(
            source_of(&rules, &get("https://a.test/b"), true),
            Some(&RouterSource::RaceNetworkAndFetchHandler)
        );
        assert_eq!(
            source_of(&rules, &get("https://a.test/c"), true),
            Some(&RouterSource::FetchEvent)
        );
        assert_eq!(source_of(&rules, &get("https://a.test/api/y"), true), None);
    }

    #[test]
    fn conditions_that_do_not_verify_add_nothing() {
        let base = RouterRules::default()
            .with(&[rule(pattern("/ok"), RouterSource::Network)], &script())
            .unwrap();
        let refused = [
            RouterCondition::default(),
            pattern("/(\\d+)"),
            pattern("/a("),
            RouterCondition {
                request_method: Some("TRACE".into()),
                ..Default::default()
            },
            RouterCondition {
                request_method: Some("GE T".into()),
                ..Default::default()
            },
            RouterCondition {
                or: Some(vec![pattern("/a")]),
                request_mode: Some("cors".into()),
                ..Default::default()
            },
            RouterCondition {
                not: Some(Box::new(RouterCondition::default())),
                ..Default::default()
            },
        ];
        for condition in refused {
            let rules = [
                rule(pattern("/fine"), RouterSource::Network),
                rule(condition.clone(), RouterSource::Network),
            ];
            assert!(base.with(&rules, &script()).is_err(), "{condition:?}");
        }
        assert_eq!(base.rules().len(), 1);
    }

    #[test]
    fn nesting_and_size_are_bounded() {
        let mut deep = pattern("/x");
        for _ in 0..=MAX_CONDITION_DEPTH {
            deep = RouterCondition {
                not: Some(Box::new(deep)),
                ..Default::default()
            };
        }
        assert!(RouterRules::default()
            .with(&[rule(deep, RouterSource::Network)], &script())
            .is_err());
        let many: Vec<RouterRule> = (0..=MAX_CONDITIONS)
            .map(|i| rule(pattern(&format!("/{i}")), RouterSource::Network))
            .collect();
        assert!(RouterRules::default().with(&many, &script()).is_err());
        assert!(RouterRules::default()
            .with(&many[..MAX_CONDITIONS], &script())
            .is_ok());
    }

    #[test]
    fn rules_survive_their_json_and_bad_stored_rules_are_dropped() {
        let rules = RouterRules::default()
            .with(
                &[
                    rule(pattern("/a/*"), RouterSource::Network),
                    rule(
                        pattern("/b"),
                        RouterSource::Cache {
                            cache_name: Some("v1".into()),
                        },
                    ),
                ],
                &script(),
            )
            .unwrap();
        let json = rules.to_json().unwrap();
        let loaded = RouterRules::from_json(&json, &script());
        assert_eq!(loaded.rules(), rules.rules());
        assert_eq!(
            source_of(&loaded, &get("https://a.test/a/1"), false),
            Some(&RouterSource::Network)
        );
        assert!(RouterRules::default().to_json().is_none());
        assert!(RouterRules::from_json("not json", &script()).is_empty());
        let with_bad = json.replace("/b", "/(\\\\d+)");
        assert_eq!(
            RouterRules::from_json(&with_bad, &script()).rules().len(),
            1
        );
    }
}
