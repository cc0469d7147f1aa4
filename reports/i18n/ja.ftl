# auditscope: レポートとコマンドラインの固定文言（日本語）。
# ID は en.ftl と同じです。docs/translating.md を参照してください。

## 機械値のラベル（result.json の値は英語のままです）
status-PASS = 合格
status-FAIL = 不合格
status-ERROR = 評価不能
status-SKIP = 対象外
status-WAIVED = 例外承認
severity-critical = 重大
severity-high = 高
severity-medium = 中
severity-low = 低
severity-info = 情報
state-passing = 合格
state-failing = 不合格
state-unknown = 評価不能
state-manual = 手動評価
state-notapplicable = 該当なし
waiver-state-active = 有効
waiver-state-expired = 期限切れ
waiver-state-unused = 未使用
global = グローバル
none-dash = -
not-available = 算出不可

## レポートの見出し
report-title = auditscope レポート
report-title-account = auditscope レポート: アカウント { $account }
report-back-to-summary = 全アカウントの概要に戻る
partial-scan = 部分的なスキャン
partial-scan-detail = 収集が中断されたため、一部のアカウントが含まれていません。
field-source = 入力
field-accounts = アカウント数
field-regions = リージョン
field-started = 開始日時
field-finished = 終了日時
field-pass-rate = 合格率
pass-rate-detail = 評価済みの検出結果 { $total } 件中 { $passed } 件

## 概要とチェック
summary = 概要
column-status = ステータス
column-findings = 検出結果
column-severity = 重要度
checks = チェック
column-check = チェック

## 管理策マトリクス
control-matrix = 管理策マトリクス
framework-summary = 全 { $total } 件の管理策のうち、合格 { $passing } 件、不合格 { $failing } 件、評価不能 { $unknown } 件、手動評価 (自動チェックなし) { $manual } 件です。
column-control = 管理策
column-title = タイトル
column-state = 状態
column-checks = チェック

## 不合格
failures = 不合格
failures-intro = { $checks } 件のチェックで不合格の検出結果が { $findings } 件あります (重要度の高い順)。
controls = 管理策
remediation = 修正方法
column-account = アカウント
column-account-not-scanned = アカウント (未スキャン)
column-failures = 不合格
column-region = リージョン
column-resource = リソース
column-finding = 検出結果
evidence = 根拠
commands-to-fix = 修正コマンド
commands-to-fix-many = 修正コマンド (検出結果 { $count } 件)
no-failures = 不合格はありません。

## 例外承認
waived = 例外承認
column-reason = 理由
column-owner = 責任者
column-expires = 有効期限
no-waived = 例外承認された検出結果はありません。
waivers-attention = 確認が必要な例外承認
column-waiver = 例外承認
column-failing-findings = 不合格の検出結果

## 評価不能
not-assessed = 評価不能
all-assessed = すべてのチェックを評価できました。
html-failing-accounts = スキャンした { $count } 個のアカウントで不合格です。上のヒートマップから各アカウントのページを開くと一覧があります。
more-fixes = このチェックのほかの検出結果を修正するコマンドが、さらに { $count } 組あります。各アカウントのページにそのアカウントの分があります。
list-truncated = { $count } 件のうち、チェックとアカウントの順で先頭の { $shown } 件をここに表示しています。各アカウントのページにそのアカウントの分があり、result.json にはすべてがあります。
accounts-not-scanned = スキャンしていないアカウント
column-name = 名前
collection-errors = 収集エラー
column-operation = オペレーション
column-code = コード
column-message = メッセージ

## ベースラインとの差分
changes-title = ベースラインからの変化
changes-summary = { $baseline } との比較: 新たな不合格 { $new } 件、解消 { $resolved } 件、引き続き不合格 { $still } 件、今回評価されなかったもの { $gone } 件。
changes-new-failures = 新たな不合格
changes-resolved = 解消
changes-not-assessed = 今回評価されなかったもの
changes-still-failing = 引き続き不合格
changes-gone-resolved = 検出されなくなりました
changes-gone-not-assessed = 今回のスキャンに含まれないアカウント
column-now = 現在
column-before = 以前

## HTML レポート
html-title = auditscope — 監査ログとモニタリングの状況
html-source = 入力 { $source }
html-accounts = { $count } アカウント
html-regions = リージョン { $regions }
html-scanned = スキャン日時 { $time }
executive-summary = エグゼクティブサマリー
html-pass-rate = 合格率 (評価済み { $total } 件中 { $passed } 件)
html-findings = 件
column-framework = フレームワーク
column-passing = 合格
column-failing = 不合格
column-not-assessed = 評価不能
column-manual = 手動評価
column-controls = 管理策数
column-coverage = 内訳
html-control-states = 管理策の状態
html-changes-summary-before = { $baseline } との比較: 新たな不合格
html-changes-summary-new = {" "}件、
html-changes-summary-rest = 解消 { $resolved } 件、引き続き不合格 { $still } 件、今回評価されなかったもの { $gone } 件。
heatmap = アカウント × チェック
heatmap-intro = アカウントとチェックごとに最も悪いステータスを示します。セルにカーソルを合わせるとチェックが表示されます。列の順序は下のチェック一覧と同じです。
no-finding = 検出結果なし
html-show = 表示
html-filter-controls = 管理策を絞り込む…
html-filter-findings = 検出結果を絞り込む…
all-findings = すべての検出結果
too-many-findings = 検出結果が { $count } 件あり、1 ページには表示しきれません。不合格と評価不能は上にすべて表示しています。すべての検出結果と根拠は次のファイルにあります:
column-message-html = メッセージ

## コマンドライン: checks show、checks list、frameworks
cli-scope = スコープ
cli-what-it-checks = チェック内容
cli-why = 重要な理由
cli-passes-when = 合格条件 (CEL)
cli-alarm-must-fire = アラームが発報すべきイベント (checks/events/)
cli-near-misses = 無視すべき類似イベント
cli-shared = 次のイベントは、意図して他のチェックのパターンにも一致することがあります
cli-sample-account = サンプルイベントにはアカウント ID { $account } が入っています。各アカウントは、これを自身の ID に置き換えて判定します。
cli-alarm-counts = 1 件のイベントで通知されるアラームだけを数えます。判定は CloudWatch の評価方法に従います:
cli-alarm-counts-detail = M/N データポイント (EvaluationPeriods のうち DatapointsToAlarm)、TreatMissingData、メトリクスフィルターのデフォルト値、メトリクス計算式 (FILL、IF、SUM など)。異常検出バンドと計算できない式は評価不能とします。
cli-recommended-pattern = 推奨フィルターパターン
cli-applies-when = 適用条件 (CEL)
cli-parameters = パラメーター
cli-needs-actions = 必要な IAM アクション
cli-how-to-fix = 修正方法
cli-controls = 管理策
cli-references = 参考資料
cli-framework-coverage = 管理策 { $controls } 件、うちチェックの対応あり { $covered } 件
cli-manual = 手動評価

## メトリクスフィルターとアラームの通知経路 (engine::monitor)
monitor-unreadable = { $what }を読み取れませんでした: { $action } が { $code } で失敗しました。
monitor-no-trail-logs = アカウント { $account } のイベントを記録する証跡がありません。
monitor-what-trails = アカウント { $account } の証跡
monitor-no-trail = アカウント { $account } のイベントを記録する CloudTrail の証跡がないため、どのメトリクスフィルターもイベントを受け取れません。
monitor-status-failed = GetTrailStatus が { $code } で失敗しました
monitor-owner-not-in-scan = 所有者のアカウント { $owner } がスキャンに含まれていません
monitor-status-not-collected = 状態が収集されていません
monitor-logging-unknown = 証跡 { $trail } がログを記録しているかどうかは不明です: { $why }。
monitor-not-logging = 証跡 { $trail } はログを記録していません。
monitor-single-region = 証跡 { $trail } は単一リージョンの証跡 ({ $region }) のため、他のリージョンのイベントはロググループに届きません。
monitor-no-cwl = 証跡 { $trail } は CloudWatch Logs に配信していません。
monitor-cwl-error = 証跡 { $trail } はロググループへの配信に失敗しています: { $error }。
monitor-group-outside = 証跡 { $trail } のロググループ { $arn } はアカウント { $owner } にあり、このアカウントはスキャンに含まれていません。
monitor-what-log-groups = アカウント { $owner } の { $region } のロググループ
monitor-group-missing = 証跡 { $trail } の配信先のロググループ { $arn } は存在しません。
monitor-path-trail = 証跡 { $trail } → ロググループ { $group } ({ $account }, { $region })
monitor-flow-none = { $region } の VPC { $vpc } には CloudWatch Logs に配信するフローログがないため、そのレコードを数えるメトリクスフィルターを設定できません。
monitor-flow-what = { $region } のフローログ
monitor-flow-not-cwl = VPC { $vpc } のフローログ { $flow_log } の配信先は { $destination } です。メトリクスフィルターとアラームが使える CloudWatch Logs ではありません。
monitor-flow-inactive = VPC { $vpc } のフローログ { $flow_log } は有効ではありません。
monitor-flow-delivery = VPC { $vpc } のフローログ { $flow_log } は配信に失敗しています: { $error }。
monitor-flow-group-missing = VPC { $vpc } のフローログ { $flow_log } の配信先のロググループ { $arn } は存在しません。
monitor-flow-group-outside = フローログ { $flow_log } のロググループ { $arn } はアカウント { $owner } にあり、このアカウントはスキャンに含まれていません。
monitor-flow-traffic = フローログ { $flow_log } は { $traffic } のトラフィックだけを記録するため、{ $event } ({ $summary }) のようなレコードを書き込みません。
monitor-path-flow-log = フローログ { $flow_log } → ロググループ { $group } ({ $account }, { $region })
monitor-where-group = ロググループ { $group } ({ $account }, { $region })
monitor-what-filters = { $where } のメトリクスフィルター
monitor-too-broad-item = メトリクスフィルター { $filter } はこのイベントに一致しますが、よく似た別のイベント `{ $event }` ({ $summary }) にも一致します
monitor-path-filter = メトリクスフィルター { $filter }
monitor-no-filter = { $where } のどのメトリクスフィルターも `{ $event }` ({ $summary }) に一致しません。
monitor-too-broad = 範囲が広すぎるため数えません: { $list }。
monitor-filter-invalid = メトリクスフィルター { $filter } は { $error } の位置が無効です
monitor-what-alarms = アカウント { $account } の { $region } のアラーム
monitor-no-alarm = アカウント { $account } の { $region } に、メトリクスフィルター { $filter } が `{ $event }` について発行するメトリクス { $metric } を監視するアラームがありません。
monitor-alarm-other-dims = アラーム { $alarm } はディメンション { $dims } でこのメトリクスを監視していますが、メトリクスフィルターが発行するのは { $published } です。
monitor-no-value = このイベントでは値なし
monitor-alarm-other-namespace = アラーム { $alarm } は { $metric } を別の名前空間 { $namespace } で監視しています。
monitor-none = (なし)
monitor-actions-disabled = アラーム { $alarm } ({ $region }) はアクションが無効になっているため、誰にも通知しません。
monitor-never = アラーム { $alarm } ({ $region }) は 1 件の `{ $event }` では通知しません: { $why }。
monitor-undecided = アラーム { $alarm } ({ $region }) が 1 件の `{ $event }` で通知するかどうかを判定できません: { $why }。
monitor-no-sns = アラーム { $alarm } ({ $region }) のアラームアクションに SNS トピックがありません。
monitor-no-sns-other = アラーム { $alarm } ({ $region }) のアラームアクション ({ $actions }) に SNS トピックがありません。
monitor-path-alarm = アラーム { $alarm }
monitor-topic-outside = アラーム { $alarm } の SNS トピック { $arn } はアカウント { $owner } にあり、このアカウントはスキャンに含まれていないため、サブスクリプションは不明です。
monitor-what-topics = アカウント { $owner } の { $region } の SNS トピック
monitor-topic-missing = アラーム { $alarm } の通知先の SNS トピック { $arn } は存在しません。
monitor-what-subscriptions = SNS トピック { $arn } のサブスクリプション
monitor-no-confirmed = { $pending ->
    [0] アラーム { $alarm } の SNS トピック { $arn } に確認済みのサブスクリプションがありません。
   *[other] アラーム { $alarm } の SNS トピック { $arn } に確認済みのサブスクリプションがありません (確認保留中 { $pending } 件)。
}
monitor-path-topic = SNS トピック { $arn } (確認済み { $confirmed } 件)
monitor-kind-not-recorded = { $kind ->
    [read] は読み取りの管理イベントを記録しない
   *[write] は書き込みの管理イベントを記録しない
}
monitor-excluded = は { $source } の管理イベントを除外している
monitor-not-recorded = 証跡 { $trail } { $why }ため、`{ $event }` ({ $summary }) はロググループに届きません。
monitor-more-gaps = { $detail }（監視対象の { $total } 件のイベントのうち、ほかに { $others } 件も通知されません）
monitor-summary = { $count ->
    [1] 監視対象のイベントは確認済みのサブスクリプションに届きます: { $paths }。
   *[other] 監視対象の { $count } 件のイベントはすべて確認済みのサブスクリプションに届きます: { $paths }。
}

## 評価不能の理由 (engine)
not-assessed-reason = 評価不能: { $reason }。
not-assessed-failed = 評価不能: アカウント { $account } ({ $region }) で { $action } が { $code } で失敗しました: { $message }。
not-assessed-denied = 評価不能: アカウント { $account } ({ $region }) で { $action } が { $code } で失敗しました: { $message }。スキャン用ロールに { $action } を許可してください。
reason-bucket-not-in-account = 証跡 { $trails } の配信先のバケット { $bucket } は、スキャンした唯一のアカウント { $account } にありません。別のアカウントのバケットか、すでに存在しません。判定するには、バケットを持つアカウント (または組織) をスキャンしてください
reason-bucket-outside-scan = 証跡 { $trails } の配信先のバケット { $bucket } は、スキャンした { $count } 件のアカウントのどれにもありません。スキャン対象外のアカウントのバケットか、すでに存在しないため、判定できません
reason-key-outside-scan = { $what } の KMS キー { $key } はアカウント { $owner } にあり、このアカウントはスキャンに含まれていません
reason-log-group-outside-scan = 証跡 { $trail } のロググループ { $arn } はアカウント { $owner } にあり、このアカウントはスキャンに含まれていません
reason-vpcs-not-collected = { $region } の VPC は収集されていません (ec2:DescribeVpcs)。VPC を収集する前のスナップショットか、リージョンを読み取れませんでした
reason-event-data-stores-not-collected = { $region } の CloudTrail Lake イベントデータストアは収集されていません (cloudtrail:ListEventDataStores)。収集する前のスナップショットか、リージョンを読み取れませんでした
reason-trail-status-outside-scan = 証跡 { $trail } の所有者はアカウント { $owner } で、このアカウントはスキャンに含まれていないため、証跡の状態はそのアカウントでしか確認できません
what-trail = 証跡 { $trail }
what-log-group = ロググループ { $group }

## 1 件のイベントでアラームが通知するかどうかの理由 (engine::alarm)
alarm-unknown-treatment = 不明な TreatMissingData `{ $value }` です
alarm-no-threshold = アラームにしきい値がありません
alarm-anomaly-operator = 異常検出バンド ({ $operator }) と比較しており、その上下限は CloudWatch がメトリクスの履歴から学習します
alarm-unknown-operator = 不明な比較演算子 `{ $operator }` です
alarm-no-operator = アラームに比較演算子がありません
alarm-default-value = メトリクスフィルターは他のすべてのログイベントでデフォルト値 { $default } を発行するため、一致するイベントが 1 件ある期間の { $stat } はロググループが受け取るイベントの数に左右されます
alarm-unknown-statistic = 不明な統計 `{ $stat }` です
alarm-anomaly-band = 異常検出バンド `{ $band }` と比較しており、その上下限は CloudWatch がメトリクスの履歴から学習します
alarm-no-value = メトリクスフィルターはこのイベントで値を発行しません (メトリクス値 `{ $value }`)
alarm-no-query = クエリ `{ $query }` がアラームのメトリクスにありません
alarm-expression-over = { $stat } に対する式
alarm-already-in-alarm = 一致するイベントがなくてもすでに ALARM 状態のため ({ $rule }、欠落データの処理は { $missing })、イベントが 1 件増えても状態は変わらず、誰にも通知されません
alarm-needs-more = 1 件のイベントでは 1 つの期間にデータポイントが 1 つ ({ $stat } { $value }) できるだけですが、アラームには { $rule } が必要です (欠落データの処理は { $missing })
alarm-rule = { $n } データポイント中 { $m } 件で { $operator } { $threshold }
alarm-queries-returning = クエリのうち { $count } 件がデータを返しますが、アラームが評価するのは 1 件だけです

## コマンドライン: scan
cli-warning-no-collected-at = 警告: スナップショットに collected_at がないため、例外承認の有効期限は今日の日付で判定します
cli-warning-waiver-expired = 警告: { $account } の { $check } に対する例外承認 { $waiver } は { $expires } に期限切れになっています
cli-warning-waiver-unused = 警告: { $account } の { $check } に対する例外承認 { $waiver } は使われていません (一致する不合格の検出結果がありません)
cli-wrote = { $file } を書き込みました
cli-wrote-pages = { $file } と、{ $dir } の下にアカウント別ページ { $pages } 件を書き込みました
cli-wrote-diff = { $file } を書き込みました: 新たな不合格 { $new } 件、解消 { $resolved } 件、引き続き不合格 { $still } 件
cli-removed = { $file } を削除しました (以前のスキャンのファイルで、今回は書き込まれていません)
cli-summary = 検出結果 { $findings } 件: 合格 { $pass } 件、不合格 { $fail } 件、評価不能 { $error } 件、対象外 { $skip } 件、例外承認 { $waived } 件 (アカウント { $accounts } 件)
cli-interrupted = スキャンが中断されました。レポートは部分的です
cli-gate = ゲート: 重要度「{ $severity }」以上の不合格が { $count } 件あります。例: { $account } の { $check }: { $message }
cli-gate-new = ゲート: 重要度「{ $severity }」以上の新たな不合格が { $count } 件あります。例: { $account } の { $check }: { $message }

## 文と列挙のつなぎ
sentence-gap = {""}
list-separator = 、
monitor-invalid-filters = { $list }。
monitor-more-unknown = { $detail }（監視対象の { $total } 件のイベントのうち、ほかに { $others } 件も判定できません）
baseline = { $path } ({ $source })
baseline-scanned = { $path } ({ $source }、{ $time } にスキャン)
cli-unknown-check = チェック `{ $id }` はありません。`auditscope checks list` で一覧を確認してください
cli-unknown-framework = フレームワーク `{ $id }` はありません。`auditscope frameworks list` で一覧を確認してください
