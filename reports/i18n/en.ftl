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
html-changes-summary-new = new failure(s),
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
