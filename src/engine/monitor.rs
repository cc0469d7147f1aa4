//! The metric-filter alarm chain of `monitor` checks, judged per account:
//!
//! trail → log group → metric filter → alarm → SNS topic → subscriber
//!
//! 1. A logging, multi-region trail covering the account (its own, or the
//!    organization trail of the management account) delivers to a log group
//!    without delivery errors, and records the event (read/write management
//!    events, event source not excluded).
//! 2. A metric filter on that log group matches the event and none of the
//!    check's `must_not_match` events. Patterns are parsed and evaluated by
//!    [`crate::filter_pattern`], never compared as text.
//! 3. An alarm in the log group's account and region watches the filter's
//!    metric: same namespace and name, the same dimension names, and for
//!    each dimension the value the filter would publish for the event.
//! 4. The alarm's actions are enabled, a single event makes it notify as
//!    CloudWatch evaluates it (datapoints to alarm, missing-data
//!    treatment, metric math: [`super::alarm`]), and one of its alarm
//!    actions is an SNS topic with a confirmed subscription.
//!
//! Checks with `monitor.source: vpc_flow_logs` follow the same chain per
//! VPC from the VPC's flow logs instead of trails: an ACTIVE flow log of
//! the VPC that delivers to CloudWatch Logs without errors and records the
//! event's traffic (REJECT records need REJECT or ALL), then steps 2 to 4
//! on sample flow log records written in that flow log's own format.
//!
//! Each `must_match` event is followed along every path; the furthest one
//! counts. The check passes when every event completes the chain. When an
//! event fails, the first broken link of its best path is reported, with
//! the commands that add it. A link that could not be read (API error,
//! account outside the scan) makes the result unknown instead of failed.

use super::alarm::Firing;
use super::view::{management_events, World};
use super::ErrorIndex;
use crate::checks::monitor::{as_event, SAMPLE_ACCOUNT_ID};
use crate::checks::{Monitor, SampleEvent};
use crate::filter_pattern::{self, Pattern};
use crate::i18n::{Arg, Texts};
use crate::model::{Account, FlowLog, MetricAlarm, MetricTransformation, Trail};
use crate::shell::command;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// The links of the chain, in order; an event's result is the first one
/// that is broken (`Complete` when none is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Link {
    TrailFeed,
    FlowLogFeed,
    EventRecorded,
    MetricFilter,
    Alarm,
    AlarmActions,
    AlarmThreshold,
    SnsAction,
    ConfirmedSubscription,
    Complete,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::TrailFeed => "trail_feed",
            Link::FlowLogFeed => "flow_log_feed",
            Link::EventRecorded => "event_recorded",
            Link::MetricFilter => "metric_filter",
            Link::Alarm => "alarm",
            Link::AlarmActions => "alarm_actions",
            Link::AlarmThreshold => "alarm_threshold",
            Link::SnsAction => "sns_action",
            Link::ConfirmedSubscription => "confirmed_subscription",
            Link::Complete => "complete",
        }
    }
}

/// How far one path took one event.
#[derive(Debug, Clone)]
struct Reach {
    link: Link,
    /// The link could not be judged: data is missing.
    unknown: bool,
    /// Why the link is broken or unknown; the path when complete.
    detail: String,
    /// Commands that add the missing link.
    fix: Vec<String>,
}

impl Reach {
    fn broken(link: Link, detail: String, fix: Vec<String>) -> Self {
        Reach {
            link,
            unknown: false,
            detail,
            fix,
        }
    }

    fn unknown(link: Link, detail: String) -> Self {
        Reach {
            link,
            unknown: true,
            detail,
            fix: Vec::new(),
        }
    }

    /// Further is better; at the same link, "could not tell" beats "broken".
    fn rank(&self) -> (Link, bool) {
        (self.link, self.unknown)
    }

    fn prefixed(&self, prefix: &str) -> Reach {
        let mut reach = self.clone();
        if reach.link == Link::Complete {
            reach.detail = format!("{prefix} → {}", reach.detail);
        }
        reach
    }
}

fn best(reaches: impl IntoIterator<Item = Reach>) -> Option<Reach> {
    reaches
        .into_iter()
        .fold(None, |best: Option<Reach>, r| match best {
            Some(b) if b.rank() >= r.rank() => Some(b),
            _ => Some(r),
        })
}

/// A log group's metric filters, parsed once per thread.
struct ParsedFilter<'a> {
    name: &'a str,
    /// The pattern as written.
    text: &'a str,
    /// Whether it publishes a value or dimension taken from the event
    /// ([`publishes_from_event`]).
    publishes_from_event: bool,
    /// Whether it could match differently for different accounts on
    /// JSON records and on text records ([`matches_per_account`]).
    per_account: [bool; 2],
    pattern: Result<Pattern, String>,
    transformations: &'a [MetricTransformation],
}

/// (check id, log group ARN, account id or "" when no filter of the group
/// can tell accounts apart).
type CoverageKey = (String, String, String);

/// (check id, account id the sample events are logged with or "" for the
/// sample's own, flow log format, filter pattern).
type MatchingKey = (String, String, Option<String>, String);

/// Which `must_match` events a filter matches, and the indices of the
/// `must_not_match` events it matches too.
type Matching = (Vec<bool>, Vec<usize>);

/// A monitor's `must_match` and `must_not_match` records as logged for
/// one account.
type Records<'r> = (Vec<Cow<'r, Value>>, Vec<Cow<'r, Value>>);

/// Judges monitor checks; one per evaluation thread, caching what does not
/// depend on the account (every member of an organization trail shares the
/// management account's log group).
pub struct Chains<'a> {
    world: &'a World<'a>,
    /// The language of the sentences (`monitor.missing`, `summary`, gaps).
    t: &'a Texts,
    errors: &'a ErrorIndex<'a>,
    filters: RefCell<HashMap<String, Rc<Vec<ParsedFilter<'a>>>>>,
    /// The reach of each `must_match` event from a log group on.
    coverage: RefCell<HashMap<CoverageKey, Rc<Vec<Reach>>>>,
    /// Which sample events a filter pattern matches.
    matching: RefCell<HashMap<MatchingKey, Rc<Matching>>>,
    /// The feeds of the account last asked about: every monitor check of
    /// an account asks in turn.
    last_feeds: RefCell<Option<(String, Rc<Feeds<'a>>)>>,
}

/// Where a feed delivers: a trail's or a VPC flow log's log group.
struct Feed<'a> {
    /// The trail, or `None` for a flow log feed.
    trail: Option<&'a Trail>,
    /// The flow log, or `None` for a trail feed.
    flow_log: Option<&'a FlowLog>,
    /// Which management events the trail records (`view::management_events`).
    recorded: Value,
    /// "trail T → log group G (account, region)", for working paths.
    path: String,
    account: &'a Account,
    region: &'a str,
    group_name: &'a str,
    group_arn: &'a str,
    filters: &'a [crate::model::MetricFilter],
}

impl<'a> Feed<'a> {
    /// A feed into `found`, from a trail or a flow log.
    fn to(
        found: super::view::FoundLogGroup<'a>,
        path: String,
        trail: Option<&'a Trail>,
        flow_log: Option<&'a FlowLog>,
    ) -> Self {
        Feed {
            trail,
            flow_log,
            recorded: trail.map(management_events).unwrap_or(Value::Null),
            path,
            account: found.account,
            region: found.region,
            group_name: &found.group.name,
            group_arn: &found.group.arn,
            filters: &found.group.metric_filters,
        }
    }
}

impl super::view::FoundLogGroup<'_> {
    /// `group`, `account` and `region` for a path sentence.
    fn path_args(&self) -> [(&'static str, Arg); 3] {
        [
            ("group", self.group.name.as_str().into()),
            ("account", self.account.id.as_str().into()),
            ("region", self.region.into()),
        ]
    }
}

/// An account's feeds and why its other trails are not feeds.
type Feeds<'a> = (Vec<Feed<'a>>, Vec<Reach>);

impl<'a> Chains<'a> {
    pub fn new(world: &'a World<'a>, errors: &'a ErrorIndex<'a>, t: &'a Texts) -> Self {
        Chains {
            world,
            t,
            errors,
            filters: RefCell::default(),
            coverage: RefCell::default(),
            matching: RefCell::default(),
            last_feeds: RefCell::default(),
        }
    }

    /// A sentence of the catalogue with its arguments.
    fn say(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.t.format(id, args)
    }

    /// An unknown link when `action` failed for `account` in `region`:
    /// "`what` could not be read: ACTION failed with CODE."
    fn unreadable(
        &self,
        action: &str,
        account: &str,
        region: Option<&str>,
        link: Link,
        what: impl FnOnce() -> String,
    ) -> Option<Reach> {
        self.errors.at(action, account, region).map(|error| {
            Reach::unknown(
                link,
                self.say(
                    "monitor-unreadable",
                    &[
                        ("what", what().into()),
                        ("action", error.iam_action().into()),
                        ("code", error.code.as_str().into()),
                    ],
                ),
            )
        })
    }

    /// The `monitor` variable of check `check_id` for `account`.
    pub fn view(&self, check_id: &str, monitor: &Monitor, account: &'a Account) -> Value {
        let feeds = self.cached_feeds(account);
        let (feeds, feed_problems) = feeds.as_ref();
        let mut per_event: Vec<Reach> = Vec::with_capacity(monitor.must_match.len());
        for (index, event) in monitor.must_match.iter().enumerate() {
            let mut reaches = feed_problems.clone();
            for feed in feeds {
                if let Some(problem) = not_recorded(self.t, feed, event) {
                    reaches.push(problem);
                    continue;
                }
                let coverage = self.coverage(check_id, monitor, feed, &account.id);
                if let Some(reach) = coverage.get(index) {
                    reaches.push(reach.prefixed(&feed.path));
                }
            }
            per_event.push(best(reaches).unwrap_or_else(|| {
                Reach::broken(
                    Link::TrailFeed,
                    self.say(
                        "monitor-no-trail-logs",
                        &[("account", account.id.as_str().into())],
                    ),
                    feed_fix(account),
                )
            }));
        }
        summarize(self.t, monitor, &per_event)
    }

    /// The `monitor` variable of flow log check `check_id` for VPC `vpc_id`
    /// of `account` in `region`.
    pub fn vpc_view(
        &self,
        check_id: &str,
        monitor: &Monitor,
        account: &'a Account,
        region: &'a str,
        vpc_id: &str,
    ) -> Value {
        let direct = self.flow_reaches(check_id, monitor, account, region, vpc_id, vpc_id);
        // Flow logs on subnets cover the VPC when every subnet's records
        // reach someone: that route is as far as its worst subnet gets.
        // (Subnets are collected when some flow log is on a subnet.)
        let subnets: Vec<&str> = account
            .region(region)
            .map(|f| {
                f.subnets
                    .iter()
                    .filter(|s| s.vpc_id == vpc_id)
                    .map(|s| s.id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let per_event = if subnets.is_empty() || direct.iter().all(|r| r.link == Link::Complete) {
            direct
        } else {
            let by_subnet: Vec<Vec<Reach>> = subnets
                .iter()
                .map(|subnet| {
                    let label = format!("{vpc_id} ({subnet})");
                    self.flow_reaches(check_id, monitor, account, region, subnet, &label)
                })
                .collect();
            direct
                .into_iter()
                .enumerate()
                .map(|(i, on_vpc)| {
                    let reaches: Vec<&Reach> = by_subnet.iter().filter_map(|r| r.get(i)).collect();
                    let Some(worst) = reaches.iter().min_by_key(|r| r.rank()) else {
                        return on_vpc;
                    };
                    // On a tie, the subnet route explains better when some
                    // subnet got further than the VPC's own flow logs.
                    let progress = reaches.iter().any(|r| r.rank() > on_vpc.rank());
                    if worst.rank() > on_vpc.rank() || (worst.rank() == on_vpc.rank() && progress) {
                        (*worst).clone()
                    } else {
                        on_vpc
                    }
                })
                .collect()
        };
        summarize(self.t, monitor, &per_event)
    }

    /// How far each `must_match` record gets from the flow logs on
    /// `resource` (a VPC or a subnet), named `label` in sentences.
    fn flow_reaches(
        &self,
        check_id: &str,
        monitor: &Monitor,
        account: &'a Account,
        region: &'a str,
        resource: &str,
        label: &str,
    ) -> Vec<Reach> {
        let (feeds, feed_problems) = self.flow_log_feeds(account, region, resource, label);
        monitor
            .must_match
            .iter()
            .enumerate()
            .map(|(index, event)| {
                let mut reaches = feed_problems.clone();
                for feed in &feeds {
                    if let Some(problem) = traffic_not_recorded(self.t, feed, event) {
                        reaches.push(problem);
                        continue;
                    }
                    let coverage = self.coverage(check_id, monitor, feed, &account.id);
                    if let Some(reach) = coverage.get(index) {
                        reaches.push(reach.prefixed(&feed.path));
                    }
                }
                best(reaches).unwrap_or_else(|| {
                    Reach::broken(
                        Link::FlowLogFeed,
                        self.say(
                            "monitor-flow-none",
                            &[("vpc", label.into()), ("region", region.into())],
                        ),
                        flow_log_fix(region, resource, &account.id),
                    )
                })
            })
            .collect()
    }

    /// The flow logs on `resource` (a VPC or subnet, `label` in sentences)
    /// that deliver to a scanned log group, and why the others do not.
    fn flow_log_feeds(
        &self,
        account: &'a Account,
        region: &'a str,
        resource: &str,
        label: &str,
    ) -> Feeds<'a> {
        let mut feeds = Vec::new();
        let mut problems = Vec::new();
        if let Some(unknown) = self.unreadable(
            "ec2:DescribeFlowLogs",
            &account.id,
            Some(region),
            Link::FlowLogFeed,
            || self.say("monitor-flow-what", &[("region", region.into())]),
        ) {
            problems.push(unknown);
            return (feeds, problems);
        }
        let Some(facts) = account.region(region) else {
            return (feeds, problems);
        };
        for flow_log in facts.flow_logs.iter().filter(|f| f.resource_id == resource) {
            let say = |id: &str, more: &[(&str, Arg)]| {
                let mut args = vec![
                    ("flow_log", Arg::from(flow_log.id.as_str())),
                    ("vpc", Arg::from(label)),
                ];
                args.extend(more.iter().cloned());
                self.say(id, &args)
            };
            let fix = || flow_log_fix(region, resource, &account.id);
            if flow_log.log_destination_type.as_deref() != Some("cloud-watch-logs") {
                problems.push(Reach::broken(
                    Link::FlowLogFeed,
                    say(
                        "monitor-flow-not-cwl",
                        &[(
                            "destination",
                            flow_log
                                .log_destination_type
                                .as_deref()
                                .unwrap_or("?")
                                .into(),
                        )],
                    ),
                    fix(),
                ));
                continue;
            }
            if flow_log.flow_log_status.as_deref() != Some("ACTIVE") {
                problems.push(Reach::broken(
                    Link::FlowLogFeed,
                    say("monitor-flow-inactive", &[]),
                    fix(),
                ));
                continue;
            }
            if flow_log.deliver_logs_status.as_deref() != Some("SUCCESS") {
                let error = flow_log
                    .deliver_logs_error_message
                    .clone()
                    .unwrap_or_else(|| "FAILED".to_owned());
                problems.push(Reach::broken(
                    Link::FlowLogFeed,
                    say("monitor-flow-delivery", &[("error", error.into())]),
                    fix(),
                ));
                continue;
            }
            // A flow log names its group; it is in the flow log's account
            // and region unless its destination ARN says otherwise.
            let arn = flow_log
                .log_destination
                .clone()
                .filter(|d| d.starts_with("arn:"))
                .or_else(|| {
                    flow_log.log_group_name.as_ref().map(|name| {
                        format!("arn:aws:logs:{region}:{}:log-group:{name}", account.id)
                    })
                })
                .unwrap_or_default();
            let found = Some(arn.as_str())
                .filter(|a| !a.is_empty())
                .and_then(|a| self.world.log_group(a));
            let Some(found) = found else {
                problems.push(self.group_not_found(
                    &arn,
                    Link::FlowLogFeed,
                    |owner| {
                        say(
                            "monitor-flow-group-outside",
                            &[("arn", arn.as_str().into()), ("owner", owner.into())],
                        )
                    },
                    || {
                        Reach::broken(
                            Link::FlowLogFeed,
                            say(
                                "monitor-flow-group-missing",
                                &[("arn", arn.as_str().into())],
                            ),
                            fix(),
                        )
                    },
                ));
                continue;
            };
            let path = say("monitor-path-flow-log", &found.path_args());
            feeds.push(Feed::to(found, path, None, Some(flow_log)));
        }
        (feeds, problems)
    }

    /// Why a feed's log group `arn` is not in the scan: its account is
    /// outside it (unknown, `outside(owner)`), its log groups could not be
    /// read (unknown), or it does not exist (`missing()`).
    fn group_not_found(
        &self,
        arn: &str,
        link: Link,
        outside: impl FnOnce(&str) -> String,
        missing: impl FnOnce() -> Reach,
    ) -> Reach {
        let owner = crate::model::arn_account(arn).unwrap_or_default();
        let region = arn.split(':').nth(3).unwrap_or_default();
        if owner.is_empty() {
            return missing();
        }
        if !self.world.in_scan(owner) {
            return Reach::unknown(link, outside(owner));
        }
        self.unreadable("logs:DescribeLogGroups", owner, Some(region), link, || {
            self.say(
                "monitor-what-log-groups",
                &[("owner", owner.into()), ("region", region.into())],
            )
        })
        .unwrap_or_else(missing)
    }

    fn cached_feeds(&self, account: &'a Account) -> Rc<Feeds<'a>> {
        if let Some((id, feeds)) = self.last_feeds.borrow().as_ref() {
            if *id == account.id {
                return feeds.clone();
            }
        }
        let feeds = Rc::new(self.feeds(account));
        *self.last_feeds.borrow_mut() = Some((account.id.clone(), feeds.clone()));
        feeds
    }

    /// The trails that deliver this account's events to a scanned log
    /// group, and why the others do not.
    fn feeds(&self, account: &'a Account) -> Feeds<'a> {
        let mut feeds = Vec::new();
        let mut problems = Vec::new();
        let trails = self.world.trails_for(account);
        if trails.is_empty() {
            problems.push(
                self.unreadable(
                    "cloudtrail:DescribeTrails",
                    &account.id,
                    None,
                    Link::TrailFeed,
                    || {
                        self.say(
                            "monitor-what-trails",
                            &[("account", account.id.as_str().into())],
                        )
                    },
                )
                .unwrap_or_else(|| {
                    Reach::broken(
                        Link::TrailFeed,
                        self.say(
                            "monitor-no-trail",
                            &[("account", account.id.as_str().into())],
                        ),
                        feed_fix(account),
                    )
                }),
            );
        }
        for trail in trails {
            let name = &trail.name;
            let say = |id: &str, more: &[(&str, Arg)]| {
                let mut args = vec![("trail", Arg::from(name.as_str()))];
                args.extend(more.iter().cloned());
                self.say(id, &args)
            };
            let problem =
                |detail: String| Reach::broken(Link::TrailFeed, detail, trail_fix(account, trail));
            let Some(status) = &trail.status else {
                let owner = &trail.owner_account_id;
                let why = match self.errors.at(
                    "cloudtrail:GetTrailStatus",
                    owner,
                    Some(&trail.home_region),
                ) {
                    Some(error) => self.say(
                        "monitor-status-failed",
                        &[("code", error.code.as_str().into())],
                    ),
                    None if !self.world.in_scan(owner) => self.say(
                        "monitor-owner-not-in-scan",
                        &[("owner", owner.as_str().into())],
                    ),
                    None => self.say("monitor-status-not-collected", &[]),
                };
                problems.push(Reach::unknown(
                    Link::TrailFeed,
                    say("monitor-logging-unknown", &[("why", why.into())]),
                ));
                continue;
            };
            if !status.is_logging {
                problems.push(problem(say("monitor-not-logging", &[])));
                continue;
            }
            if !trail.is_multi_region {
                problems.push(problem(say(
                    "monitor-single-region",
                    &[("region", trail.home_region.as_str().into())],
                )));
                continue;
            }
            let Some(arn) = trail.cloudwatch_logs_log_group_arn.as_deref() else {
                problems.push(problem(say("monitor-no-cwl", &[])));
                continue;
            };
            if let Some(error) = &status.latest_cloudwatch_logs_delivery_error {
                problems.push(problem(say(
                    "monitor-cwl-error",
                    &[("error", error.as_str().into())],
                )));
                continue;
            }
            let Some(found) = self.world.log_group(arn) else {
                problems.push(self.group_not_found(
                    arn,
                    Link::TrailFeed,
                    |owner| {
                        say(
                            "monitor-group-outside",
                            &[("arn", arn.into()), ("owner", owner.into())],
                        )
                    },
                    || problem(say("monitor-group-missing", &[("arn", arn.into())])),
                ));
                continue;
            };
            let path = say("monitor-path-trail", &found.path_args());
            feeds.push(Feed::to(found, path, Some(trail), None));
        }
        (feeds, problems)
    }

    fn parsed_filters(&self, feed: &Feed<'a>) -> Rc<Vec<ParsedFilter<'a>>> {
        let mut cache = self.filters.borrow_mut();
        cache
            .entry(feed.group_arn.to_owned())
            .or_insert_with(|| {
                Rc::new(
                    feed.filters
                        .iter()
                        .map(|f| ParsedFilter {
                            name: &f.name,
                            text: &f.pattern,
                            publishes_from_event: publishes_from_event(f),
                            per_account: [false, true]
                                .map(|text| matches_per_account(&f.pattern, text)),
                            pattern: filter_pattern::parse(&f.pattern)
                                .map_err(|e| format!("character {}: {}", e.column(), e.message)),
                            transformations: &f.transformations,
                        })
                        .collect(),
                )
            })
            .clone()
    }

    /// The reach of every `must_match` event from the filters of a feed's
    /// log group onwards.
    fn coverage(
        &self,
        check_id: &str,
        monitor: &Monitor,
        feed: &Feed<'a>,
        account_id: &str,
    ) -> Rc<Vec<Reach>> {
        // Sample events carry the evaluated account's id. Members of an
        // organization trail share its log group, and their coverage is
        // computed once, unless a filter of the group could tell accounts
        // apart.
        let dependent = account_dependent(&self.parsed_filters(feed), logs_text(monitor));
        let format = feed
            .flow_log
            .and_then(|f| f.log_format.as_deref())
            .unwrap_or_default();
        let key = (
            check_id.to_owned(),
            feed.group_arn.to_owned(),
            if dependent {
                format!("{account_id} {format}")
            } else {
                format.to_owned()
            },
        );
        if let Some(found) = self.coverage.borrow().get(&key) {
            return found.clone();
        }
        // When no filter can tell accounts apart, the sample records as
        // written match exactly as the account's own would, and are not
        // rewritten for every account.
        let logged_as = if dependent {
            account_id
        } else {
            SAMPLE_ACCOUNT_ID
        };
        let computed = Rc::new(self.compute_coverage(check_id, monitor, feed, logged_as));
        self.coverage.borrow_mut().insert(key, computed.clone());
        computed
    }

    /// `logged_as`: the account id the sample events are logged with.
    fn compute_coverage(
        &self,
        check_id: &str,
        monitor: &Monitor,
        feed: &Feed<'a>,
        logged_as: &str,
    ) -> Vec<Reach> {
        let where_ = self.say(
            "monitor-where-group",
            &[
                ("group", feed.group_name.into()),
                ("account", feed.account.id.as_str().into()),
                ("region", feed.region.into()),
            ],
        );
        if let Some(unknown) = self.unreadable(
            "logs:DescribeMetricFilters",
            &feed.account.id,
            Some(feed.region),
            Link::MetricFilter,
            || self.say("monitor-what-filters", &[("where", where_.as_str().into())]),
        ) {
            return vec![unknown; monitor.must_match.len()];
        }
        let format = feed.flow_log.and_then(|f| f.log_format.as_deref());
        let logged = |account: &str| logged_records(monitor, account, format);
        // A filter that names no account digits matches the sample records
        // as written as it would the account's own (`filter_dependent`),
        // so it is matched once per pattern, not once per account.
        let sample = logged(SAMPLE_ACCOUNT_ID);
        let own = std::cell::OnceCell::new();
        let records = |dependent: bool| -> &Records {
            if dependent {
                own.get_or_init(|| logged(logged_as))
            } else {
                &sample
            }
        };
        let filters = self.parsed_filters(feed);
        let text = logs_text(monitor);
        let per_account = |f: &ParsedFilter| f.per_account[usize::from(text)];
        // Which events each filter matches; a filter that also matches a
        // must-not-match event does not count (its alarm would cry wolf or
        // it watches something else).
        let matching: Vec<(Rc<Matching>, Vec<&SampleEvent>)> = filters
            .iter()
            .map(|f| {
                let key: MatchingKey = (
                    check_id.to_owned(),
                    if per_account(f) { logged_as } else { "" }.to_owned(),
                    format.map(str::to_owned),
                    f.text.to_owned(),
                );
                let cached = self.matching.borrow().get(&key).cloned();
                let matching = cached.unwrap_or_else(|| {
                    let (must, must_not) = records(per_account(f));
                    let computed = Rc::new(match &f.pattern {
                        Ok(p) => (
                            must.iter()
                                .map(|record| p.matches(&as_event(record)))
                                .collect(),
                            must_not
                                .iter()
                                .enumerate()
                                .filter(|(_, record)| p.matches(&as_event(record)))
                                .map(|(i, _)| i)
                                .collect(),
                        ),
                        Err(_) => (vec![false; monitor.must_match.len()], Vec::new()),
                    });
                    self.matching.borrow_mut().insert(key, computed.clone());
                    computed
                });
                let hits = matching
                    .1
                    .iter()
                    .filter_map(|&i| monitor.must_not_match.get(i).map(|e| e.as_ref()))
                    .collect();
                (matching, hits)
            })
            .collect();
        monitor
            .must_match
            .iter()
            .enumerate()
            .map(|(i, event)| {
                let mut reaches = Vec::new();
                let mut too_broad = Vec::new();
                for (filter, (matches, false_hits)) in filters.iter().zip(&matching) {
                    if !matches.0[i] {
                        continue;
                    }
                    if let Some(hit) = false_hits.first() {
                        too_broad.push(self.say(
                            "monitor-too-broad-item",
                            &[
                                ("filter", filter.name.into()),
                                ("event", hit.name.as_str().into()),
                                ("summary", hit.summary.as_str().into()),
                            ],
                        ));
                        continue;
                    }
                    // A value or dimension taken from the event is the
                    // account's own.
                    let record = if filter.publishes_from_event {
                        event.logged(logged_as, format)
                    } else {
                        Cow::Borrowed(&*records(false).0[i])
                    };
                    for transformation in filter.transformations {
                        reaches.push(
                            self.alarm_reach(feed, filter.name, transformation, event, &record)
                                .prefixed(
                                    &self.say(
                                        "monitor-path-filter",
                                        &[("filter", filter.name.into())],
                                    ),
                                ),
                        );
                    }
                }
                best(reaches).unwrap_or_else(|| {
                    let mut detail = self.say(
                        "monitor-no-filter",
                        &[
                            ("where", where_.as_str().into()),
                            ("event", event.name.as_str().into()),
                            ("summary", event.summary.as_str().into()),
                        ],
                    );
                    if !too_broad.is_empty() {
                        detail.push_str(&self.say("sentence-gap", &[]));
                        detail.push_str(&self.say(
                            "monitor-too-broad",
                            &[("list", too_broad.join("; ").into())],
                        ));
                    }
                    let invalid: Vec<String> = filters
                        .iter()
                        .filter_map(|f| {
                            f.pattern.as_ref().err().map(|e| {
                                self.say(
                                    "monitor-filter-invalid",
                                    &[("filter", f.name.into()), ("error", e.as_str().into())],
                                )
                            })
                        })
                        .collect();
                    if !invalid.is_empty() {
                        detail.push_str(&self.say("sentence-gap", &[]));
                        detail.push_str(&self.say(
                            "monitor-invalid-filters",
                            &[(
                                "list",
                                invalid.join(&self.say("list-separator", &[])).into(),
                            )],
                        ));
                    }
                    Reach::broken(Link::MetricFilter, detail, filter_fix(monitor, feed))
                })
            })
            .collect()
    }

    /// From a filter's metric to a confirmed subscriber, for one event.
    fn alarm_reach(
        &self,
        feed: &Feed<'a>,
        filter: &str,
        metric: &MetricTransformation,
        event: &SampleEvent,
        record: &Value,
    ) -> Reach {
        let region = feed.region;
        let account = &feed.account.id;
        let metric_id = format!("{}/{}", metric.metric_namespace, metric.metric_name);
        if let Some(unknown) = self.unreadable(
            "cloudwatch:DescribeAlarms",
            account,
            Some(region),
            Link::Alarm,
            || {
                self.say(
                    "monitor-what-alarms",
                    &[
                        ("account", account.as_str().into()),
                        ("region", region.into()),
                    ],
                )
            },
        ) {
            return unknown;
        }
        let alarms: &[MetricAlarm] = feed
            .account
            .region(region)
            .map(|f| f.metric_alarms.as_slice())
            .unwrap_or_default();
        let published = published_dimensions(metric, record);
        let same_name: Vec<&MetricAlarm> = alarms
            .iter()
            .filter(|a| a.metric_name.as_deref() == Some(metric.metric_name.as_str()))
            .collect();
        let same_metric: Vec<&MetricAlarm> = same_name
            .iter()
            .copied()
            .filter(|a| a.namespace.as_deref() == Some(metric.metric_namespace.as_str()))
            .collect();
        // An alarm watches the metric directly, or reads it in a query of a
        // metric-math expression (then `query` names that query).
        let mut watching: Vec<(&MetricAlarm, Option<String>)> = same_metric
            .iter()
            .copied()
            .filter(|a| published.as_ref() == Some(&a.dimensions))
            .map(|a| (a, None))
            .collect();
        if let Some(dimensions) = &published {
            watching.extend(alarms.iter().filter_map(|a| {
                crate::engine::alarm::query_reading(
                    a,
                    &metric.metric_namespace,
                    &metric.metric_name,
                    dimensions,
                )
                .map(|query| (a, Some(query)))
            }));
        }
        if watching.is_empty() {
            let mut detail = self.say(
                "monitor-no-alarm",
                &[
                    ("region", region.into()),
                    ("account", account.as_str().into()),
                    ("metric", metric_id.as_str().into()),
                    ("filter", filter.into()),
                    ("event", event.name.as_str().into()),
                ],
            );
            if let Some(other) = same_metric.first() {
                detail.push_str(&self.say("sentence-gap", &[]));
                detail.push_str(
                    &self.say(
                        "monitor-alarm-other-dims",
                        &[
                            ("alarm", other.name.as_str().into()),
                            ("dims", dims_text(&other.dimensions).into()),
                            (
                                "published",
                                published
                                    .as_ref()
                                    .map(dims_text)
                                    .unwrap_or_else(|| self.say("monitor-no-value", &[]))
                                    .into(),
                            ),
                        ],
                    ),
                );
            } else if let Some(other) = same_name.first() {
                detail.push_str(&self.say("sentence-gap", &[]));
                detail.push_str(
                    &self.say(
                        "monitor-alarm-other-namespace",
                        &[
                            ("alarm", other.name.as_str().into()),
                            ("metric", metric.metric_name.as_str().into()),
                            (
                                "namespace",
                                other
                                    .namespace
                                    .clone()
                                    .unwrap_or_else(|| self.say("monitor-none", &[]))
                                    .into(),
                            ),
                        ],
                    ),
                );
            }
            return Reach::broken(
                Link::Alarm,
                detail,
                alarm_fix(feed, metric, &format!("{}-alarm", filter), None),
            );
        }
        best(watching.into_iter().map(|(alarm, query)| {
            let name = &alarm.name;
            let say = |id: &str, more: &[(&str, Arg)]| {
                let mut args = vec![
                    ("alarm", Arg::from(name.as_str())),
                    ("region", Arg::from(region)),
                ];
                args.extend(more.iter().cloned());
                self.say(id, &args)
            };
            if !alarm.actions_enabled {
                return Reach::broken(
                    Link::AlarmActions,
                    say("monitor-actions-disabled", &[]),
                    vec![command([
                        "aws",
                        "cloudwatch",
                        "enable-alarm-actions",
                        "--region",
                        region,
                        "--alarm-names",
                        name,
                    ])],
                );
            }
            match crate::engine::alarm::one_event(alarm, metric, record, query.as_deref(), self.t) {
                Firing::Fires => {}
                Firing::Never(why) => {
                    return Reach::broken(
                        Link::AlarmThreshold,
                        say(
                            "monitor-never",
                            &[("event", event.name.as_str().into()), ("why", why.into())],
                        ),
                        alarm_fix(feed, metric, name, Some(alarm)),
                    )
                }
                Firing::Unknown(why) => {
                    return Reach::unknown(
                        Link::AlarmThreshold,
                        say(
                            "monitor-undecided",
                            &[("event", event.name.as_str().into()), ("why", why.into())],
                        ),
                    )
                }
            }
            let topics: Vec<&str> = alarm
                .alarm_actions
                .iter()
                .map(String::as_str)
                .filter(|a| a.starts_with("arn:aws:sns:") || a.contains(":sns:"))
                .collect();
            if topics.is_empty() {
                return Reach::broken(
                    Link::SnsAction,
                    if alarm.alarm_actions.is_empty() {
                        say("monitor-no-sns", &[])
                    } else {
                        say(
                            "monitor-no-sns-other",
                            &[("actions", alarm.alarm_actions.join(", ").into())],
                        )
                    },
                    alarm_fix(feed, metric, name, Some(alarm)),
                );
            }
            best(
                topics
                    .into_iter()
                    .map(|topic| self.topic_reach(name, topic)),
            )
            .unwrap_or_else(|| Reach::broken(Link::SnsAction, String::new(), Vec::new()))
            .prefixed(&say("monitor-path-alarm", &[]))
        }))
        .unwrap_or_else(|| Reach::broken(Link::Alarm, String::new(), Vec::new()))
    }

    fn topic_reach(&self, alarm: &str, arn: &str) -> Reach {
        let mut parts = arn.split(':');
        let region = parts.nth(3).unwrap_or_default();
        let owner = parts.next().unwrap_or_default();
        let Some((_, _, topic)) = self.world.topic(arn) else {
            if !self.world.in_scan(owner) {
                return Reach::unknown(
                    Link::ConfirmedSubscription,
                    self.say(
                        "monitor-topic-outside",
                        &[
                            ("arn", arn.into()),
                            ("alarm", alarm.into()),
                            ("owner", owner.into()),
                        ],
                    ),
                );
            }
            if let Some(unknown) = self.unreadable(
                "sns:ListTopics",
                owner,
                Some(region),
                Link::ConfirmedSubscription,
                || {
                    self.say(
                        "monitor-what-topics",
                        &[("owner", owner.into()), ("region", region.into())],
                    )
                },
            ) {
                return unknown;
            }
            return Reach::broken(
                Link::SnsAction,
                self.say(
                    "monitor-topic-missing",
                    &[("alarm", alarm.into()), ("arn", arn.into())],
                ),
                vec![command([
                    "aws",
                    "sns",
                    "create-topic",
                    "--region",
                    region,
                    "--name",
                    arn.rsplit(':').next().unwrap_or("security-alarms"),
                ])],
            );
        };
        if let Some(unknown) = self.unreadable(
            "sns:ListSubscriptionsByTopic",
            owner,
            Some(region),
            Link::ConfirmedSubscription,
            || self.say("monitor-what-subscriptions", &[("arn", arn.into())]),
        ) {
            return unknown;
        }
        let confirmed = topic
            .subscriptions
            .iter()
            .filter(|s| s.is_confirmed())
            .count();
        if confirmed == 0 {
            let pending = topic.subscriptions.len();
            return Reach::broken(
                Link::ConfirmedSubscription,
                self.say(
                    "monitor-no-confirmed",
                    &[
                        ("arn", arn.into()),
                        ("alarm", alarm.into()),
                        ("pending", pending.into()),
                    ],
                ),
                vec![
                    subscribe(region, arn),
                    "# then confirm the subscription from the message SNS sends".to_owned(),
                ],
            );
        }
        Reach {
            link: Link::Complete,
            unknown: false,
            detail: self.say(
                "monitor-path-topic",
                &[("arn", arn.into()), ("confirmed", confirmed.into())],
            ),
            fix: Vec::new(),
        }
    }
}

/// Why `trail` does not record `event`, if it does not.
fn not_recorded(t: &Texts, feed: &Feed, event: &SampleEvent) -> Option<Reach> {
    let (Some(trail), recorded) = (feed.trail, &feed.recorded) else {
        return None;
    };
    let flag = |key: &str| recorded.get(key).and_then(Value::as_bool).unwrap_or(false);
    let kind = if event.read_only { "read" } else { "write" };
    let mut why = None;
    if !flag(kind) {
        why = Some(t.format("monitor-kind-not-recorded", &[("kind", kind.into())]));
    }
    let excluded = recorded
        .get("excluded_sources")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|s| s.as_str() == Some(&event.event_source)));
    if excluded {
        why = Some(t.format(
            "monitor-excluded",
            &[("source", event.event_source.as_str().into())],
        ));
    }
    why.map(|why| {
        Reach::broken(
            Link::EventRecorded,
            t.format(
                "monitor-not-recorded",
                &[
                    ("trail", trail.name.as_str().into()),
                    ("why", why.into()),
                    ("event", event.name.as_str().into()),
                    ("summary", event.summary.as_str().into()),
                ],
            ),
            vec![command([
                "aws",
                "cloudtrail",
                "put-event-selectors",
                "--region",
                &trail.home_region,
                "--trail-name",
                &trail.name,
                "--advanced-event-selectors",
                r#"[{"Name":"All management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]"#,
            ])],
        )
    })
}

/// Why a flow log does not record a sample record's traffic: a flow log
/// of ACCEPT traffic writes no REJECT record, and the other way round.
fn traffic_not_recorded(t: &Texts, feed: &Feed, event: &SampleEvent) -> Option<Reach> {
    let flow_log = feed.flow_log?;
    let action = event
        .record
        .get("flowLogRecord")
        .and_then(|r| r.get("action"))
        .and_then(Value::as_str)?;
    let traffic = flow_log.traffic_type.as_deref().unwrap_or("?");
    if traffic == "ALL" || traffic == action {
        return None;
    }
    Some(Reach::broken(
        Link::EventRecorded,
        t.format(
            "monitor-flow-traffic",
            &[
                ("flow_log", flow_log.id.as_str().into()),
                ("traffic", traffic.into()),
                ("event", event.name.as_str().into()),
                ("summary", event.summary.as_str().into()),
            ],
        ),
        flow_log_fix(feed.region, &flow_log.resource_id, &feed.account.id),
    ))
}

/// `aws logs create-log-group` for `group` in `region`.
fn create_log_group(region: &str, group: &str) -> String {
    command([
        "aws",
        "logs",
        "create-log-group",
        "--region",
        region,
        "--log-group-name",
        group,
    ])
}

/// A flow log of all traffic to CloudWatch Logs for a VPC (or subnet).
fn flow_log_fix(region: &str, vpc_id: &str, account_id: &str) -> Vec<String> {
    let group = format!("vpc-flow-logs/{vpc_id}");
    let resource_type = if vpc_id.starts_with("subnet-") {
        "Subnet"
    } else {
        "VPC"
    };
    vec![
        create_log_group(region, &group),
        command([
            "aws",
            "ec2",
            "create-flow-logs",
            "--region",
            region,
            "--resource-type",
            resource_type,
            "--resource-ids",
            vpc_id,
            "--traffic-type",
            "ALL",
            "--log-destination-type",
            "cloud-watch-logs",
            "--log-group-name",
            &group,
            "--deliver-logs-permission-arn",
            &format!("arn:aws:iam::{account_id}:role/<flow-logs-role>"),
        ]),
    ]
}

/// The dimensions a filter publishes for an event, or `None` when a
/// dimension's field is missing (the filter then publishes nothing).
fn published_dimensions(
    metric: &MetricTransformation,
    record: &Value,
) -> Option<BTreeMap<String, String>> {
    metric
        .dimensions
        .iter()
        .map(|(name, selector)| {
            let value = filter_pattern::parse_selector(selector)
                .ok()?
                .resolve(record)
                .filter(|v| !v.is_null())?;
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((name.clone(), text))
        })
        .collect()
}

fn dims_text(dims: &BTreeMap<String, String>) -> String {
    if dims.is_empty() {
        return "none".into();
    }
    dims.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `aws sns subscribe` of an email address the reader fills in.
fn subscribe(region: &str, topic_arn: &str) -> String {
    command([
        "aws",
        "sns",
        "subscribe",
        "--region",
        region,
        "--topic-arn",
        topic_arn,
        "--protocol",
        "email",
        "--notification-endpoint",
        "<security-team@example.com>",
    ])
}

fn feed_fix(account: &Account) -> Vec<String> {
    let region = "us-east-1";
    let group = format!("aws-cloudtrail-logs-{}", account.id);
    let group_arn = format!("arn:aws:logs:{region}:{}:log-group:{group}:*", account.id);
    vec![
        create_log_group(region, &group),
        command([
            "aws",
            "cloudtrail",
            "create-trail",
            "--region",
            region,
            "--name",
            "management-events",
            "--s3-bucket-name",
            "<trail-bucket>",
            "--is-multi-region-trail",
            "--enable-log-file-validation",
            "--cloud-watch-logs-log-group-arn",
            &group_arn,
            "--cloud-watch-logs-role-arn",
            "<role-arn>",
        ]),
        command([
            "aws",
            "cloudtrail",
            "start-logging",
            "--region",
            region,
            "--name",
            "management-events",
        ]),
    ]
}

fn trail_fix(account: &Account, trail: &Trail) -> Vec<String> {
    let region = &trail.home_region;
    let owner = &trail.owner_account_id;
    let group = trail
        .cloudwatch_logs_log_group_arn
        .clone()
        .unwrap_or_else(|| {
            format!(
                "arn:aws:logs:{region}:{owner}:log-group:aws-cloudtrail-logs-{}:*",
                account.id
            )
        });
    vec![
        command([
            "aws",
            "cloudtrail",
            "update-trail",
            "--region",
            region,
            "--name",
            &trail.name,
            "--is-multi-region-trail",
            "--cloud-watch-logs-log-group-arn",
            &group,
            "--cloud-watch-logs-role-arn",
            "<role-arn>",
        ]),
        command([
            "aws",
            "cloudtrail",
            "start-logging",
            "--region",
            region,
            "--name",
            &trail.name,
        ]),
    ]
}

fn filter_fix(monitor: &Monitor, feed: &Feed) -> Vec<String> {
    let metric = MetricTransformation {
        metric_name: monitor.metric_name.clone(),
        metric_namespace: monitor.metric_namespace.clone(),
        metric_value: "1".into(),
        ..Default::default()
    };
    let transformation = format!(
        "metricName={},metricNamespace={},metricValue=1",
        monitor.metric_name, monitor.metric_namespace
    );
    // A flow log in a custom format needs the pattern for its fields.
    let pattern = feed
        .flow_log
        .and_then(|f| f.log_format.as_deref())
        .and_then(|format| crate::checks::monitor::flow_pattern_for(&monitor.pattern, format))
        .unwrap_or_else(|| monitor.pattern.clone());
    let mut fix = vec![command([
        "aws",
        "logs",
        "put-metric-filter",
        "--region",
        feed.region,
        "--log-group-name",
        feed.group_name,
        "--filter-name",
        &monitor.metric_name,
        "--metric-transformations",
        &transformation,
        "--filter-pattern",
        &pattern,
    ])];
    fix.extend(alarm_fix(
        feed,
        &metric,
        &format!("{}-alarm", monitor.metric_name),
        None,
    ));
    fix
}

/// `put-metric-alarm` for a filter's metric, keeping an existing alarm's
/// actions, with CIS's settings (Sum over 5 minutes, at least one event).
fn alarm_fix(
    feed: &Feed,
    metric: &MetricTransformation,
    alarm_name: &str,
    existing: Option<&MetricAlarm>,
) -> Vec<String> {
    let region = feed.region;
    let mut actions: Vec<String> = existing
        .map(|a| {
            a.alarm_actions
                .iter()
                .filter(|t| t.contains(":sns:"))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut fix = Vec::new();
    if actions.is_empty() {
        // Reuse a topic of the region that already reaches someone.
        let reachable = feed.account.region(region).and_then(|facts| {
            facts
                .sns_topics
                .iter()
                .find(|t| t.subscriptions.iter().any(|s| s.is_confirmed()))
        });
        match reachable {
            Some(topic) => actions.push(topic.arn.clone()),
            None => {
                let arn = format!("arn:aws:sns:{region}:{}:security-alarms", feed.account.id);
                fix.push(command([
                    "aws",
                    "sns",
                    "create-topic",
                    "--region",
                    region,
                    "--name",
                    "security-alarms",
                ]));
                fix.push(subscribe(region, &arn));
                actions.push(arn);
            }
        }
    }
    let mut words: Vec<String> = [
        "aws",
        "cloudwatch",
        "put-metric-alarm",
        "--region",
        region,
        "--alarm-name",
        alarm_name,
        "--metric-name",
        &metric.metric_name,
        "--namespace",
        &metric.metric_namespace,
    ]
    .map(str::to_owned)
    .to_vec();
    if !metric.dimensions.is_empty() {
        words.push("--dimensions".into());
        words.extend(
            metric
                .dimensions
                .keys()
                .map(|k| format!("Name={k},Value=<value>")),
        );
    }
    words.extend(
        [
            "--statistic",
            "Sum",
            "--period",
            "300",
            "--evaluation-periods",
            "1",
            "--datapoints-to-alarm",
            "1",
            "--threshold",
            "1",
            "--comparison-operator",
            "GreaterThanOrEqualToThreshold",
            "--treat-missing-data",
            "notBreaching",
            "--alarm-actions",
        ]
        .map(str::to_owned),
    );
    words.extend(actions);
    fix.push(command(words));
    fix
}

/// The `monitor` variable: the outcome, a sentence for messages, the gaps,
/// the working paths and the commands that close the first gap.
fn summarize(t: &Texts, monitor: &Monitor, per_event: &[Reach]) -> Value {
    let gaps: Vec<(&SampleEvent, &Reach)> = monitor
        .must_match
        .iter()
        .map(|e| e.as_ref())
        .zip(per_event)
        .filter(|(_, r)| r.link != Link::Complete)
        .collect();
    let covered: Vec<&str> = monitor
        .must_match
        .iter()
        .zip(per_event)
        .filter(|(_, r)| r.link == Link::Complete)
        .map(|(e, _)| e.name.as_str())
        .collect();
    let paths: BTreeSet<&str> = per_event
        .iter()
        .filter(|r| r.link == Link::Complete)
        .map(|r| r.detail.as_str())
        .collect();
    // A known break decides (the earliest link first); only when every gap
    // is unknown is the result unknown.
    let known = gaps
        .iter()
        .filter(|(_, r)| !r.unknown)
        .min_by_key(|(_, r)| r.link)
        .map(|(_, r)| *r);
    let unknown = !gaps.is_empty() && known.is_none();
    let decisive = known.or_else(|| gaps.first().map(|(_, r)| *r));
    let missing = match decisive {
        None => String::new(),
        Some(reach) => {
            let others = gaps.len() - 1;
            if others == 0 {
                reach.detail.clone()
            } else {
                t.format(
                    if unknown {
                        "monitor-more-unknown"
                    } else {
                        "monitor-more-gaps"
                    },
                    &[
                        ("detail", reach.detail.as_str().into()),
                        ("others", others.into()),
                        ("total", monitor.must_match.len().into()),
                    ],
                )
            }
        }
    };
    let paths_text = paths
        .iter()
        .copied()
        .collect::<Vec<_>>()
        .join(&t.get("list-separator"));
    let summary = t.format(
        "monitor-summary",
        &[
            ("count", monitor.must_match.len().into()),
            ("paths", paths_text.into()),
        ],
    );
    json!({
        "passed": gaps.is_empty(),
        "unknown": unknown,
        "link": decisive.map_or("complete", |r| r.link.as_str()),
        "missing": missing,
        "summary": summary,
        "covered": covered,
        "gaps": gaps.iter().map(|(e, r)| json!({
            "event": e.name,
            "link": r.link.as_str(),
            "detail": r.detail,
        })).collect::<Vec<_>>(),
        "paths": paths,
        "fix": decisive.map(|r| r.fix.clone()).unwrap_or_default(),
        "pattern": monitor.pattern,
    })
}

/// Whether a filter of the feed's log group could match or publish
/// differently for different accounts ([`filter_dependent`]) on records
/// that are text lines when `text` (flow log records).
fn account_dependent(filters: &[ParsedFilter], text: bool) -> bool {
    filters.iter().any(|f| filter_dependent(f, text))
}

/// Whether `monitor`'s sample events are logged as text lines (flow log
/// records) rather than JSON.
fn logs_text(monitor: &Monitor) -> bool {
    monitor
        .must_match
        .iter()
        .chain(&monitor.must_not_match)
        .any(|e| e.is_flow_log())
}

/// `monitor`'s sample events as logged for `account` (by a flow log of
/// `format`, for flow log records).
fn logged_records<'m>(monitor: &'m Monitor, account: &str, format: Option<&str>) -> Records<'m> {
    let log = |events: &'m [std::sync::Arc<SampleEvent>]| -> Vec<Cow<'m, Value>> {
        events.iter().map(|e| e.logged(account, format)).collect()
    };
    (log(&monitor.must_match), log(&monitor.must_not_match))
}

/// Whether one metric filter could match or publish differently for
/// different accounts, so it must be judged on records carrying the
/// evaluated account's id rather than on the sample records as written.
///
/// The two records differ only where the sample id `111122223333` is
/// replaced by another 12-digit id: the same length, digits for digits,
/// every other character in place. A pattern can therefore tell them apart
/// only through a digit it names, by reading a text line as JSON
/// ([`matches_per_account`]), or through a value it publishes (a metric
/// value or a dimension taken from the event). Wildcards, glob `*` and
/// field selectors treat all digits alike.
fn filter_dependent(f: &ParsedFilter, text: bool) -> bool {
    f.per_account[usize::from(text)] || f.publishes_from_event
}

/// Whether filter `pattern` could match differently for different
/// accounts, on records that are text lines when `text`: it names an
/// account's digits ([`names_account_digits`]), or it is a JSON pattern
/// on text, which reads the line as JSON first, and an account id with a
/// leading zero is no JSON number.
fn matches_per_account(pattern: &str, text: bool) -> bool {
    names_account_digits(pattern) || (text && pattern.trim_start().starts_with('{'))
}

/// Whether a metric filter publishes a metric value or a dimension taken
/// from the matched event (`$.field`).
fn publishes_from_event(f: &crate::model::MetricFilter) -> bool {
    f.transformations
        .iter()
        .any(|t| !t.dimensions.is_empty() || t.metric_value.trim().starts_with('$'))
}

/// Whether a digit of `pattern` could stand where a 12-digit account id's
/// digit stands in a record. Any digit of a regular expression (`%...%`)
/// could. Elsewhere a run of digits cannot when it is shorter than an
/// account id and either has a literal, non-digit character on both sides
/// that no number has (a letter or one of `_/:@` before it, a letter or
/// one of `.-_/:@` after it, as in `s3.amazonaws.com`) or is an array
/// index of a JSON pattern (`items[0]`).
fn names_account_digits(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    if pattern.contains('%') {
        return bytes.iter().any(u8::is_ascii_digit);
    }
    let json = pattern.trim_start().starts_with('{');
    // No sign or decimal point before the run, so that no number (`-5.`,
    // `.5`) passes for text.
    let literal_before =
        |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphabetic() || b"_/:@".contains(b));
    let literal_after =
        |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphabetic() || b".-_/:@".contains(b));
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let before = start.checked_sub(1).and_then(|j| bytes.get(j));
        let after = bytes.get(i);
        let short = i - start < 12;
        let index = json && before == Some(&b'[') && after == Some(&b']');
        let enclosed = literal_before(before) && literal_after(after);
        if !(short && (index || enclosed)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{matches_per_account, names_account_digits};

    #[test]
    fn a_json_pattern_on_text_records_is_judged_per_account() {
        assert!(matches_per_account("{ $.x NOT EXISTS }", true));
        assert!(!matches_per_account("{ $.x NOT EXISTS }", false));
        assert!(!matches_per_account("[version, account, ...]", true));
    }

    #[test]
    fn only_digits_that_could_meet_an_account_id_make_a_filter_per_account() {
        for independent in [
            r#"{ ($.eventSource = s3.amazonaws.com) && ($.eventName = PutBucketPolicy) }"#,
            r#"{ $.requestParameters.createVolumePermission.add.items[0].group = "all" }"#,
            r#"{ $.eventName = CreateAccount || $.userIdentity.arn = "arn:aws:iam::*:root" }"#,
            r#"{ $.userIdentity.type = "Root" }"#,
            r#"?ec2.amazonaws.com ?"a:1:b""#,
        ] {
            assert!(!names_account_digits(independent), "{independent}");
        }
        for dependent in [
            r#"{ $.recipientAccountId = "123456789012" }"#,
            r#"{ $.userIdentity.principalId = %^[1-3]+$% }"#,
            r#"{ $.userIdentity.arn = "arn:aws:iam::1*" }"#,
            r#"{ $.sourceIPAddress = 198.51.* }"#,
            r#"{ $.x = "a1" }"#,
            r#"{ $.x = "x1*" }"#,
            r#"{ $.x = "a123456789012b" }"#,
            r#"{ $.errorMessage = "*[111122223333]*" }"#,
            r#"{ $.x < -5. }"#,
            r#"{ $.x > a.5 }"#,
            r#"[version, account, eni, src, dst, port = 22, ...]"#,
            "x1",
        ] {
            assert!(names_account_digits(dependent), "{dependent}");
        }
    }
}
