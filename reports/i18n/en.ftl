# auditscope: the fixed strings of the reports and the command line, in
# English (the source catalogue). Each other language has a file of the
# same ids beside this one; see docs/translating.md.
#
# Markup (Markdown emphasis, HTML tags) stays in the templates: a message
# is plain text, escaped where it is shown.

## Labels of machine values (result.json keeps the values in English).
status-PASS = PASS
status-FAIL = FAIL
status-ERROR = ERROR
status-SKIP = SKIP
status-WAIVED = WAIVED
severity-critical = critical
severity-high = high
severity-medium = medium
severity-low = low
severity-info = info
state-passing = passing
state-failing = failing
state-unknown = unknown
state-manual = manual
state-notapplicable = notapplicable
waiver-state-active = active
waiver-state-expired = expired
waiver-state-unused = unused
global = global
none-dash = -
not-available = n/a

## Report header
report-title = auditscope report
report-title-account = auditscope report: account { $account }
report-back-to-summary = Back to the summary of all accounts
partial-scan = Partial scan
partial-scan-detail = the collection was interrupted; some accounts are missing.
field-source = Source
field-accounts = Accounts
field-regions = Regions
field-started = Started
field-finished = Finished
field-pass-rate = Pass rate
pass-rate-detail = { $passed } of { $total } assessed findings

## Summary and checks
summary = Summary
column-status = Status
column-findings = Findings
column-severity = Severity
checks = Checks
column-check = Check

## Control matrix
control-matrix = Control matrix
framework-summary = { $passing } passing, { $failing } failing, { $unknown } not assessed, { $manual } manual (no automated check) of { $total } controls.
column-control = Control
column-title = Title
column-state = State
column-checks = Checks

## Failures
failures = Failures
failures-intro = { $findings } failing finding(s) in { $checks } check(s), most severe first.
controls = Controls
remediation = Remediation
column-account = Account
column-account-not-scanned = Account (not scanned)
column-failures = Failures
column-region = Region
column-resource = Resource
column-finding = Finding
evidence = Evidence
commands-to-fix = Commands to fix
commands-to-fix-many = Commands to fix { $count } findings
no-failures = No failures.

## Waivers
waived = Waived
column-reason = Reason
column-owner = Owner
column-expires = Expires
no-waived = No finding is waived.
waivers-attention = Waivers that need attention
column-waiver = Waiver
column-failing-findings = Failing findings

## Not assessed
not-assessed = Not assessed
all-assessed = Every check could be assessed.
html-failing-accounts = Failing in { $count } scanned accounts: the heat map above links each account's page, which lists them.
more-fixes = { $count } more distinct sets of commands fix other findings of this check; each account's page shows its own.
list-truncated = The first { $shown } of { $count } are listed here, in check and account order; each account's page lists its own, and result.json has every one.
accounts-not-scanned = Accounts not scanned
column-name = Name
collection-errors = Collection errors
column-operation = Operation
column-code = Code
column-message = Message

## Changes since a baseline
changes-title = Changes since the baseline
changes-summary = Compared with { $baseline }: { $new } new failures, { $resolved } resolved, { $still } still failing, { $gone } no longer assessed.
changes-new-failures = New failures
changes-resolved = Resolved
changes-not-assessed = No longer assessed
changes-still-failing = Still failing
changes-gone-resolved = no longer reported
changes-gone-not-assessed = account not in this scan
column-now = Now
column-before = Before

## HTML report
html-title = auditscope — audit logging and monitoring posture
html-source = Source { $source }
html-accounts = { $count } account(s)
html-regions = regions { $regions }
html-scanned = scanned { $time }
executive-summary = Executive summary
html-pass-rate = pass rate ({ $passed } of { $total } assessed)
html-findings = findings
column-framework = Framework
column-passing = Passing
column-failing = Failing
column-not-assessed = Not assessed
column-manual = Manual
column-controls = Controls
column-coverage = Coverage
html-control-states = control states
html-changes-summary-before = Compared with { $baseline }:
html-changes-summary-new = {" "}new failure(s),{" "}
html-changes-summary-rest = { $resolved } resolved, { $still } still failing, { $gone } no longer assessed.
heatmap = Accounts × checks
heatmap-intro = Worst status per account and check; hover a cell for the check. Columns follow the check list below.
no-finding = no finding
html-show = show
html-filter-controls = Filter controls…
html-filter-findings = Filter findings…
all-findings = All findings
too-many-findings = { $count } findings are too many to list on one page: failures and errors are listed in full above, and every finding with its evidence is in
column-message-html = Message

## Command line: checks show, checks list, frameworks
cli-scope = scope
cli-what-it-checks = What it checks
cli-why = Why it matters
cli-passes-when = Passes when (CEL)
cli-alarm-must-fire = Alarm must fire on (checks/events/)
cli-near-misses = And ignore the near-misses
cli-shared = Other checks' patterns may match these too, on purpose
cli-sample-account = Sample events carry the account id { $account }; each account is judged with its own id in their place.
cli-alarm-counts = An alarm counts when a single event makes it notify, as CloudWatch evaluates it:
cli-alarm-counts-detail = M of N datapoints (DatapointsToAlarm of EvaluationPeriods), TreatMissingData, the filter's default value, metric-math expressions (FILL, IF, SUM, ...). Anomaly-detection bands and expressions that cannot be computed are not assessed.
cli-recommended-pattern = Recommended filter pattern
cli-applies-when = Applies when (CEL)
cli-parameters = Parameters
cli-needs-actions = Needs IAM actions
cli-how-to-fix = How to fix
cli-controls = Controls
cli-references = References
cli-framework-coverage = { $controls } controls, { $covered } covered by checks
cli-manual = manual

## The metric-filter alarm chain (engine::monitor): monitor.missing,
## monitor.summary and the gaps.
monitor-unreadable = { $what } could not be read: { $action } failed with { $code }.
monitor-no-trail-logs = No trail logs events of account { $account }.
monitor-what-trails = The trails of account { $account }
monitor-no-trail = No CloudTrail trail logs the events of account { $account }, so no metric filter can see them.
monitor-status-failed = GetTrailStatus failed with { $code }
monitor-owner-not-in-scan = its owner account { $owner } is not in the scan
monitor-status-not-collected = its status was not collected
monitor-logging-unknown = Whether trail { $trail } is logging is unknown: { $why }.
monitor-not-logging = Trail { $trail } is not logging.
monitor-single-region = Trail { $trail } is a single-region trail ({ $region }); events of other regions never reach its log group.
monitor-no-cwl = Trail { $trail } does not deliver to CloudWatch Logs.
monitor-cwl-error = Trail { $trail } fails to deliver to its log group: { $error }.
monitor-group-outside = Log group { $arn } of trail { $trail } is in account { $owner }, which is not in the scan.
monitor-what-log-groups = The log groups of account { $owner } in { $region }
monitor-group-missing = Trail { $trail } delivers to log group { $arn }, which does not exist.
monitor-path-trail = trail { $trail } → log group { $group } ({ $account }, { $region })
monitor-flow-none = No flow log of VPC { $vpc } in { $region } delivers to CloudWatch Logs, so no metric filter can count its records.
monitor-flow-what = The flow logs of { $region }
monitor-flow-not-cwl = Flow log { $flow_log } of VPC { $vpc } delivers to { $destination }, not to CloudWatch Logs, where metric filters and alarms work.
monitor-flow-inactive = Flow log { $flow_log } of VPC { $vpc } is not active.
monitor-flow-delivery = Flow log { $flow_log } of VPC { $vpc } fails to deliver: { $error }.
monitor-flow-group-missing = Flow log { $flow_log } of VPC { $vpc } delivers to log group { $arn }, which does not exist.
monitor-flow-group-outside = Log group { $arn } of flow log { $flow_log } is in account { $owner }, which is not in the scan.
monitor-flow-traffic = Flow log { $flow_log } records { $traffic } traffic only, so it writes no record like { $event } ({ $summary }).
monitor-path-flow-log = flow log { $flow_log } → log group { $group } ({ $account }, { $region })
monitor-where-group = log group { $group } ({ $account }, { $region })
monitor-what-filters = The metric filters of { $where }
monitor-too-broad-item = filter { $filter } matches it, but also the near-miss `{ $event }` ({ $summary })
monitor-path-filter = filter { $filter }
monitor-no-filter = No metric filter on { $where } matches `{ $event }` ({ $summary }).
monitor-too-broad = Too broad to count: { $list }.
monitor-filter-invalid = filter { $filter } is invalid at { $error }
monitor-what-alarms = The alarms of account { $account } in { $region }
monitor-no-alarm = No alarm in { $region } of account { $account } watches metric { $metric }, which filter { $filter } publishes for `{ $event }`.
monitor-alarm-other-dims = Alarm { $alarm } watches it with dimensions { $dims }, but the filter publishes { $published }.
monitor-no-value = no value for this event
monitor-alarm-other-namespace = Alarm { $alarm } watches { $metric } in namespace { $namespace } instead.
monitor-none = (none)
monitor-actions-disabled = Alarm { $alarm } ({ $region }) has its actions disabled, so it notifies nobody.
monitor-never = Alarm { $alarm } ({ $region }) does not notify on a single `{ $event }`: { $why }.
monitor-undecided = Whether alarm { $alarm } ({ $region }) notifies on a single `{ $event }` cannot be decided: { $why }.
monitor-no-sns = Alarm { $alarm } ({ $region }) has no SNS topic among its alarm actions.
monitor-no-sns-other = Alarm { $alarm } ({ $region }) has no SNS topic among its alarm actions ({ $actions }).
monitor-path-alarm = alarm { $alarm }
monitor-topic-outside = Topic { $arn } of alarm { $alarm } is in account { $owner }, which is not in the scan, so its subscribers are unknown.
monitor-what-topics = The SNS topics of account { $owner } in { $region }
monitor-topic-missing = Alarm { $alarm } notifies topic { $arn }, which does not exist.
monitor-what-subscriptions = The subscriptions of topic { $arn }
monitor-no-confirmed = { $pending ->
    [0] Topic { $arn } of alarm { $alarm } has no confirmed subscription.
   *[other] Topic { $arn } of alarm { $alarm } has no confirmed subscription ({ $pending } pending confirmation).
}
monitor-path-topic = topic { $arn } ({ $confirmed } confirmed)
monitor-kind-not-recorded = { $kind ->
    [read] does not record read management events
   *[write] does not record write management events
}
monitor-excluded = excludes management events from { $source }
monitor-not-recorded = Trail { $trail } { $why }, so `{ $event }` ({ $summary }) never reaches its log group.
monitor-more-gaps = { $detail } ({ $others } more of the { $total } monitored events are not alarmed either.)
monitor-summary = { $count ->
    [1] The monitored event reaches a confirmed subscriber: { $paths }.
   *[other] All { $count } monitored events reach a confirmed subscriber: { $paths }.
}

## Why a finding is not assessed (engine)
not-assessed-reason = Not assessed: { $reason }.
not-assessed-failed = Not assessed: { $action } failed in account { $account } ({ $region }) with { $code }: { $message }.
not-assessed-denied = Not assessed: { $action } failed in account { $account } ({ $region }) with { $code }: { $message }; grant { $action } to the scanning role.
reason-bucket-not-in-account = bucket { $bucket }, which receives trail(s) { $trails }, was not found in account { $account }, the only account scanned: it belongs to another account or no longer exists; scan the account that holds it (or the organization) to judge it
reason-bucket-outside-scan = bucket { $bucket }, which receives trail(s) { $trails }, was not found in any of the { $count } scanned accounts: it belongs to an account outside the scan or no longer exists, so it cannot be judged
reason-key-outside-scan = the KMS key { $key } of { $what } belongs to account { $owner }, which is not in the scan
reason-log-group-outside-scan = log group { $arn } of trail { $trail } belongs to account { $owner }, which is not in the scan
reason-vpcs-not-collected = the VPCs of { $region } were not collected (ec2:DescribeVpcs): the snapshot predates VPC collection or the region was not read
reason-event-data-stores-not-collected = the CloudTrail Lake event data stores of { $region } were not collected (cloudtrail:ListEventDataStores): the snapshot predates their collection or the region was not read
reason-trail-status-outside-scan = trail { $trail } is owned by account { $owner }, which is not in the scan; its status is only visible there
what-trail = trail { $trail }
what-log-group = log group { $group }

## Why an alarm does or may not notify on one event (engine::alarm)
alarm-unknown-treatment = unknown TreatMissingData `{ $value }`
alarm-no-threshold = the alarm has no threshold
alarm-anomaly-operator = it compares with an anomaly detection band ({ $operator }), whose bounds CloudWatch learns from the metric's history
alarm-unknown-operator = unknown comparison operator `{ $operator }`
alarm-no-operator = the alarm has no comparison operator
alarm-default-value = the filter publishes its default value { $default } for every other log event, so the { $stat } of a period with one matching event depends on how many events the log group receives
alarm-unknown-statistic = unknown statistic `{ $stat }`
alarm-anomaly-band = it compares with anomaly detection band `{ $band }`, whose bounds CloudWatch learns from the metric's history
alarm-no-value = the filter publishes no value for this event (metric value `{ $value }`)
alarm-no-query = query `{ $query }` is not among the alarm's metrics
alarm-expression-over = expression over { $stat }
alarm-already-in-alarm = without matching events it is already in ALARM ({ $rule }; missing data is { $missing }), so one more event changes no state and notifies nobody
alarm-needs-more = one event gives one datapoint ({ $stat } { $value }) in one period, and the alarm needs { $rule } with missing data { $missing }
alarm-rule = { $m } of { $n } datapoints { $operator } { $threshold }
alarm-queries-returning = { $count } of its queries return data; an alarm evaluates exactly one

## Command line: scan
cli-warning-no-collected-at = warning: the snapshot has no collected_at; waiver expiry is judged against today's date
cli-warning-waiver-expired = warning: waiver { $waiver } for { $check } in { $account } is expired since { $expires }
cli-warning-waiver-unused = warning: waiver { $waiver } for { $check } in { $account } is unused: it matches no failing finding
cli-wrote = wrote { $file }
cli-wrote-pages = wrote { $file } and { $pages } account pages under { $dir }
cli-wrote-diff = wrote { $file }: { $new } new failures, { $resolved } resolved, { $still } still failing
cli-removed = removed { $file } (an earlier scan's, not written this time)
cli-summary = { $findings } findings: { $pass } PASS, { $fail } FAIL, { $error } ERROR, { $skip } SKIP, { $waived } WAIVED across { $accounts } account(s)
cli-interrupted = the scan was interrupted: the reports are partial
cli-gate = gate: { $count } failure(s) at or above { $severity }, e.g. { $check } in { $account }: { $message }
cli-gate-new = gate: { $count } new failure(s) at or above { $severity }, e.g. { $check } in { $account }: { $message }

## Joining sentences and list items
sentence-gap = {" "}
list-separator = {"; "}
monitor-invalid-filters = { $list }.
monitor-more-unknown = { $detail } ({ $others } more of the { $total } monitored events cannot be judged either.)
baseline = { $path } ({ $source })
baseline-scanned = { $path } ({ $source }, scanned { $time })
cli-unknown-check = unknown check `{ $id }`; see `auditscope checks list`
cli-unknown-framework = unknown framework `{ $id }`; see `auditscope frameworks list`
