//! InstallEvent (https://w3c.github.io/ServiceWorker/#installevent): what a service worker's
//! `install` listeners receive, with `addRoutes()` (the Static Routing API): the rules go to
//! the engine, which verifies them against the worker and keeps them with it.

use script_traits::{
    RouterCondition as RouterConditionData, RouterRule as RouterRuleData,
    RouterSource as RouterSourceData, RunningStatus as RunningStatusData, UrlPatternInput,
    UrlPatternParts, WorkerMsg,
};

use crate::constellation_link::{request_promise, service_worker_error};
use crate::dom::bindings::trusted::Trusted;
use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct InstallEvent {
    extendableevent: ExtendableEvent,
}

impl InstallEvent {
    /// The trusted `install` event of the Install algorithm.
    pub fn new_trusted(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<InstallEvent> {
        let event = Self::create(cx, global, None);
        event.upcast::<Event>().init("install", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<InstallEvent> {
        InstallEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(InstallEvent {
                extendableevent: ExtendableEvent::new_inherited(global),
            }),
        )
    }
}

impl InstallEventMethods for InstallEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &ExtendableEventInit,
    ) -> DomRoot<InstallEvent> {
        let event = Self::create(cx, global, proto);
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-installevent-addroutes>. The rules are
    /// checked (Verify Router Condition, a fetch listener for the sources that need one) where
    /// they are kept, in the engine; the event lives until its answer.
    fn AddRoutes(
        &self,
        cx: &mut JSContext,
        rules: RouterRuleOrRouterRuleSequence,
    ) -> Fallible<Rc<Promise>> {
        let rules = match rules {
            RouterRuleOrRouterRuleSequence::RouterRule(rule) => vec![rule],
            RouterRuleOrRouterRuleSequence::RouterRuleSequence(rules) => rules,
        };
        let rules: Vec<RouterRuleData> = rules.iter().map(rule_data).collect();
        let event = &self.extendableevent;
        // SAFETY: bindings call in the event's realm.
        unsafe {
            let promise = Promise::new(cx);
            // Only while the install event may still be extended (as waitUntil()).
            if !self.upcast::<Event>().is_trusted() || !event.is_active(cx) {
                promise.reject_error(
                    cx,
                    self.global(),
                    Error::invalid_state(
                        "Failed to execute 'addRoutes' on 'InstallEvent': The event handler is \
                         already finished.",
                    ),
                );
                return Ok(promise);
            }
            let lifetime = Promise::new(cx);
            event.add_lifetime_promise(cx, lifetime.clone())?;
            let lifetime = Trusted::new(lifetime);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_worker(WorkerMsg::AddRoutes { rules, id }),
                move |cx, global, promise, reply| {
                    match reply {
                        Ok(_) => promise.resolve(cx, &()),
                        Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                    }
                    if let Some(lifetime) = lifetime.take() {
                        lifetime.resolve(cx, &());
                    }
                },
            );
            Ok(promise)
        }
    }
}

fn rule_data(rule: &RouterRule) -> RouterRuleData {
    RouterRuleData {
        condition: condition_data(&rule.condition),
        source: match &rule.source {
            RouterSourceDictOrRouterSourceEnum::RouterSourceDict(dict) => RouterSourceData::Cache {
                cache_name: dict.cache_name.as_ref().map(|name| name.to_string()),
            },
            RouterSourceDictOrRouterSourceEnum::RouterSourceEnum(source) => match source {
                RouterSourceEnum::Cache => RouterSourceData::Cache { cache_name: None },
                RouterSourceEnum::FetchEvent => RouterSourceData::FetchEvent,
                RouterSourceEnum::Network => RouterSourceData::Network,
                RouterSourceEnum::RaceNetworkAndFetchHandler => {
                    RouterSourceData::RaceNetworkAndFetchHandler
                }
            },
        },
    }
}

fn condition_data(condition: &RouterCondition) -> RouterConditionData {
    let string = |value: &Option<DOMString>| value.as_ref().map(|value| value.to_string());
    RouterConditionData {
        url_pattern: condition.url_pattern.as_ref().map(|pattern| match pattern {
            USVStringOrURLPatternInit::USVString(pattern) => {
                UrlPatternInput::String(pattern.to_string())
            }
            USVStringOrURLPatternInit::URLPatternInit(init) => {
                UrlPatternInput::Init(UrlPatternParts {
                    protocol: string(&init.protocol),
                    username: string(&init.username),
                    password: string(&init.password),
                    hostname: string(&init.hostname),
                    port: string(&init.port),
                    pathname: string(&init.pathname),
                    search: string(&init.search),
                    hash: string(&init.hash),
                    base_url: string(&init.base_url),
                })
            }
        }),
        request_method: condition
            .request_method
            .as_ref()
            .map(|method| method.to_string()),
        request_mode: condition.request_mode.map(|mode| mode.as_str().to_owned()),
        request_destination: condition
            .request_destination
            .map(|destination| destination.as_str().to_owned()),
        running_status: condition.running_status.map(|status| match status {
            RunningStatus::Running => RunningStatusData::Running,
            RunningStatus::NotRunning => RunningStatusData::NotRunning,
        }),
        or: condition
            .or
            .as_ref()
            .map(|conditions| conditions.iter().map(condition_data).collect()),
        not: condition
            .not
            .as_ref()
            .map(|condition| Box::new(condition_data(condition))),
    }
}
