//! Test harness for the live collector: moto in server mode, started per
//! test on a free port, and an HTTP proxy in front of it that
//! - bridges the Smithy RPCv2 CBOR protocol of the current
//!   `aws-sdk-cloudwatch` to moto's JSON 1.0 CloudWatch API (moto 5.2.5
//!   answers CBOR requests with 404), timestamps as CBOR tag 1;
//! - injects faults (AccessDenied, throttling, a failing region) by
//!   operation or region;
//! - adds latency per call (for the benchmark).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A moto server of its own, killed when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
    pub addr: SocketAddr,
    /// Dropped with the server, which tells the watchdog it ended.
    _alive: std::sync::mpsc::Sender<()>,
}

fn moto_server_path() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("AUDITSCOPE_MOTO_SERVER") {
        return path.into();
    }
    let path = crate::root().join(".venv/bin/moto_server");
    assert!(
        path.exists(),
        "{} is missing: run the README's test command, which installs the pinned moto[server] \
         (tests/requirements.txt) into .venv",
        path.display()
    );
    path
}

/// How long one moto server may live before the test that started it is
/// taken to hang: the process aborts with a message, so a hang costs CI
/// minutes, not its whole budget.
const MOTO_LIFETIME: Duration = Duration::from_secs(600);

impl Moto {
    /// Starts moto on a port it chooses itself (`-p 0`) and reads the
    /// port from its "Running on" line. Choosing a free port first and
    /// polling it until moto answers is racy: another listener can take
    /// the port in between, and a connect to a port nobody listens on yet
    /// can connect to itself (TCP simultaneous open), which then waits
    /// forever for an answer.
    pub fn start() -> Moto {
        let mut child = Command::new(moto_server_path())
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto_server");
        let stderr = child.stderr.take().expect("moto's stderr");
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stderr);
            let mut line = String::new();
            while std::io::BufRead::read_line(&mut lines, &mut line).unwrap_or(0) > 0 {
                if let Some(port) = line
                    .split("Running on http://127.0.0.1:")
                    .nth(1)
                    .and_then(|rest| rest.trim().parse::<u16>().ok())
                {
                    let _ = port_tx.send(port);
                    break;
                }
                line.clear();
            }
            // Keep reading, so that moto never blocks on a full pipe.
            let _ = std::io::copy(&mut lines, &mut std::io::sink());
        });
        let Ok(port) = port_rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("moto did not say which port it listens on within 60 s");
        };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let (alive, watched) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            // Disconnected: the server was dropped in time.
            if watched.recv_timeout(MOTO_LIFETIME)
                == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
            {
                eprintln!(
                    "a live test has used moto on {addr} for over {} s: it hangs; aborting the test run",
                    MOTO_LIFETIME.as_secs()
                );
                std::process::abort();
            }
        });
        Moto {
            child,
            url: format!("http://{addr}"),
            addr,
            _alive: alive,
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP request as the proxy sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The operation name, for the protocols the collector's services use:
    /// JSON (`X-Amz-Target`), RPCv2 CBOR (path), Query (`Action=`), and
    /// REST-JSON ([`REST_OPERATIONS`]).
    pub fn operation(&self) -> Option<String> {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().map(str::to_owned);
        }
        let path = self.path.split('?').next().unwrap_or_default();
        let service = self.scope().1;
        if let Some((_, _, _, op)) = REST_OPERATIONS
            .iter()
            .find(|(s, m, p, _)| *s == service && *m == self.method && *p == path)
        {
            return Some((*op).to_owned());
        }
        if let Some(op) = self.path.split("/operation/").nth(1) {
            return Some(op.to_owned());
        }
        let body = String::from_utf8_lossy(&self.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .map(str::to_owned)
    }

    /// The parts of the Authorization header's credential scope:
    /// access key id, date, region, service, `aws4_request`.
    fn credential(&self) -> Vec<&str> {
        self.header("authorization")
            .unwrap_or_default()
            .split("Credential=")
            .nth(1)
            .unwrap_or_default()
            .split(',')
            .next()
            .unwrap_or_default()
            .split('/')
            .collect()
    }

    /// The signing region and service from the Authorization header.
    pub fn scope(&self) -> (String, String) {
        let scope = self.credential();
        (
            scope.get(2).copied().unwrap_or_default().to_owned(),
            scope.get(3).copied().unwrap_or_default().to_owned(),
        )
    }

    /// What identifies the question, for recording answers.
    fn key(&self) -> Vec<u8> {
        let (region, service) = self.scope();
        // The access key says which account asks (assumed roles differ).
        let key_id = self.credential().first().copied().unwrap_or_default();
        let mut key = format!(
            "{} {} {region} {service} {key_id} {}\n",
            self.method,
            self.path,
            self.operation().unwrap_or_default()
        )
        .into_bytes();
        key.extend_from_slice(&self.body);
        key
    }

    fn is_cbor(&self) -> bool {
        self.header("smithy-protocol") == Some("rpc-v2-cbor")
    }
}

/// REST-JSON operations the proxy must recognize: (service, method, path,
/// operation), from the `@http` traits of the AWS API models.
const REST_OPERATIONS: &[(&str, &str, &str, &str)] = &[
    ("securityhub", "GET", "/accounts", "DescribeHub"),
    ("securityhub", "POST", "/accounts", "EnableSecurityHub"),
    (
        "securityhub",
        "POST",
        "/standards/get",
        "GetEnabledStandards",
    ),
    (
        "securityhub",
        "GET",
        "/administrator",
        "GetAdministratorAccount",
    ),
    (
        "securityhub",
        "GET",
        "/organization/configuration",
        "DescribeOrganizationConfiguration",
    ),
    ("securitylake", "GET", "/v1/datalakes", "ListDataLakes"),
    (
        "securitylake",
        "POST",
        "/v1/datalake/logsources/list",
        "ListLogSources",
    ),
];

/// A fault to inject: requests it matches get an error answer, `times`
/// times (forever when `None`).
pub struct Fault {
    pub matches: Box<dyn Fn(&Request) -> bool + Send + Sync>,
    pub status: u16,
    pub code: String,
    pub times: Option<u64>,
    hits: AtomicU64,
}

impl Fault {
    pub fn new(
        matches: impl Fn(&Request) -> bool + Send + Sync + 'static,
        status: u16,
        code: &str,
        times: Option<u64>,
    ) -> Fault {
        Fault {
            matches: Box::new(matches),
            status,
            code: code.to_owned(),
            times,
            hits: AtomicU64::new(0),
        }
    }

    /// Faults for operation `op` (any service).
    pub fn operation(op: &'static str, status: u16, code: &str, times: Option<u64>) -> Fault {
        Fault::new(
            move |r| r.operation().as_deref() == Some(op),
            status,
            code,
            times,
        )
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

/// A change to moto's answer to the requests it matches: the answer's JSON
/// (after the CBOR bridge's translation, for CBOR services) is passed to
/// `edit`. Used to take a member out of a real answer, to test that an
/// absent member is not read as a fact.
pub struct Edit {
    pub matches: Box<dyn Fn(&Request) -> bool + Send + Sync>,
    pub edit: Change,
}

/// How an [`Edit`] changes an answer: its JSON, or (for XML services) its
/// text.
pub enum Change {
    Json(Box<dyn Fn(&mut serde_json::Value) + Send + Sync>),
    Text(Box<dyn Fn(&str) -> String + Send + Sync>),
}

impl Edit {
    fn apply(&self, body: &[u8]) -> Vec<u8> {
        match &self.edit {
            Change::Json(edit) => match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(mut json) => {
                    edit(&mut json);
                    json.to_string().into_bytes()
                }
                Err(_) => body.to_vec(),
            },
            Change::Text(edit) => edit(&String::from_utf8_lossy(body)).into_bytes(),
        }
    }
}

/// Operations moto 5.2.5 does not serve, which the proxy answers itself
/// with AWS's documented response shape (service, operation, the answer's
/// JSON until a test sets another with [`Proxy::answer`]). Each is also
/// listed in `moto_still_lacks_the_faked_operations`, which fails once
/// moto serves one, so the fake can go.
pub const FAKED: &[(&str, &str, &str)] = &[
    // CloudWatch Logs API Reference, DescribeAccountPolicies: Response Syntax.
    (
        "logs",
        "DescribeAccountPolicies",
        r#"{"accountPolicies":[]}"#,
    ),
    // AWS CloudTrail API Reference, ListEventDataStores and
    // GetEventDataStore: Response Syntax. Get is only asked for the ARNs
    // List gave, so its default is never used unless a test lists a store
    // without answering for it (then every setting is absent).
    (
        "cloudtrail",
        "ListEventDataStores",
        r#"{"EventDataStores":[]}"#,
    ),
    ("cloudtrail", "GetEventDataStore", r#"{}"#),
    // Amazon Security Lake API Reference, ListDataLakes and ListLogSources:
    // Response Syntax (no data lake, no sources).
    ("securitylake", "ListDataLakes", r#"{"dataLakes":[]}"#),
    ("securitylake", "ListLogSources", r#"{"sources":[]}"#),
    // AWS Security Hub API Reference, GetEnabledStandards: Response Syntax.
    (
        "securityhub",
        "GetEnabledStandards",
        r#"{"StandardsSubscriptions":[]}"#,
    ),
];

#[derive(Default)]
struct State {
    /// Answers set for faked operations, by operation name.
    answers: Mutex<HashMap<String, serde_json::Value>>,
    faults: Mutex<Vec<Arc<Fault>>>,
    /// Changes made to moto's JSON answers (see [`Proxy::edit`]).
    edits: Mutex<Vec<Arc<Edit>>>,
    /// Answers by request (see [`Proxy::record`]).
    recorded: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
    /// 0: forward, 1: forward and record, 2: answer from the record.
    mode: std::sync::atomic::AtomicU8,
    latency: Mutex<Duration>,
    calls: AtomicU64,
    log: Mutex<Vec<String>>,
}

/// The proxy in front of moto, on its own port, served by a thread per
/// connection.
pub struct Proxy {
    pub url: String,
    state: Arc<State>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(State::default());
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, upstream, &state));
            }
        });
        Proxy { url, state }
    }

    /// Sets the answer of a faked operation ([`FAKED`]).
    pub fn answer(&self, operation: &str, answer: serde_json::Value) {
        if let Ok(mut answers) = self.state.answers.lock() {
            answers.insert(operation.to_owned(), answer);
        }
    }

    /// Sets the answer of a faked operation in one region; it comes
    /// before an answer for all regions.
    pub fn answer_in(&self, region: &str, operation: &str, answer: serde_json::Value) {
        self.answer(&format!("{region}/{operation}"), answer);
    }

    /// Edits moto's JSON answers to the requests `matches` accepts.
    pub fn edit(
        &self,
        matches: impl Fn(&Request) -> bool + Send + Sync + 'static,
        edit: impl Fn(&mut serde_json::Value) + Send + Sync + 'static,
    ) {
        self.push_edit(Edit {
            matches: Box::new(matches),
            edit: Change::Json(Box::new(edit)),
        });
    }

    /// Edits the text of moto's answers (XML services such as S3).
    pub fn edit_text(
        &self,
        matches: impl Fn(&Request) -> bool + Send + Sync + 'static,
        edit: impl Fn(&str) -> String + Send + Sync + 'static,
    ) {
        self.push_edit(Edit {
            matches: Box::new(matches),
            edit: Change::Text(Box::new(edit)),
        });
    }

    fn push_edit(&self, edit: Edit) {
        if let Ok(mut edits) = self.state.edits.lock() {
            edits.push(Arc::new(edit));
        }
    }

    pub fn fault(&self, fault: Fault) -> Arc<Fault> {
        let fault = Arc::new(fault);
        if let Ok(mut faults) = self.state.faults.lock() {
            faults.push(fault.clone());
        }
        fault
    }

    /// Delays every answer by `latency` (the benchmark's stand-in for the
    /// distance to AWS).
    pub fn set_latency(&self, latency: Duration) {
        if let Ok(mut l) = self.state.latency.lock() {
            *l = latency;
        }
    }

    /// Forwards and keeps every answer, keyed by what the request asks
    /// (method, path, signing scope, operation and body; not the signature
    /// or the date).
    pub fn record(&self) {
        self.state.mode.store(1, Ordering::SeqCst);
    }

    /// Answers requests seen while recording from the record, without
    /// asking moto: the benchmark then measures the collector and the
    /// added latency, not moto's own time per call (about 10 ms, one call
    /// at a time).
    pub fn replay(&self) {
        self.state.mode.store(2, Ordering::SeqCst);
    }

    pub fn calls(&self) -> u64 {
        self.state.calls.load(Ordering::SeqCst)
    }

    /// `service:Operation` of every request seen, in order.
    pub fn log(&self) -> Vec<String> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn serve(mut client: TcpStream, upstream: SocketAddr, state: &State) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    // One request per connection (answers say `Connection: close`).
    let Some(request) = read_request(&mut client) else {
        return;
    };
    state.calls.fetch_add(1, Ordering::SeqCst);
    let (_, service) = request.scope();
    if let Ok(mut log) = state.log.lock() {
        log.push(format!(
            "{service}:{}",
            request.operation().unwrap_or_default()
        ));
    }
    let latency = state.latency.lock().map(|l| *l).unwrap_or_default();
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
    let fault = state.faults.lock().ok().and_then(|faults| {
        faults
            .iter()
            .find(|f| {
                (f.matches)(&request) && f.times.is_none_or(|n| f.hits.load(Ordering::SeqCst) < n)
            })
            .cloned()
    });
    let mode = state.mode.load(Ordering::SeqCst);
    let key = request.key();
    if mode == 2 {
        if let Some(answer) = state
            .recorded
            .lock()
            .ok()
            .and_then(|r| r.get(&key).cloned())
        {
            let _ = client.write_all(&answer);
            return;
        }
    }
    let faked = request.operation().and_then(|op| {
        FAKED
            .iter()
            .find(|(s, o, _)| *s == service && *o == op)
            .map(|(_, o, default)| {
                let in_region = format!("{}/{o}", request.scope().0);
                state
                    .answers
                    .lock()
                    .ok()
                    .and_then(|a| a.get(&in_region).or_else(|| a.get(*o)).cloned())
                    .unwrap_or_else(|| serde_json::from_str(default).unwrap_or_default())
            })
    });
    let edit = state
        .edits
        .lock()
        .ok()
        .and_then(|edits| edits.iter().find(|e| (e.matches)(&request)).cloned());
    let edit = edit.as_deref();
    let response = match (fault, faked) {
        (Some(fault), _) => {
            fault.hits.fetch_add(1, Ordering::SeqCst);
            error_response(&request, fault.status, &fault.code)
        }
        (None, Some(answer)) => response(
            200,
            &[("Content-Type".into(), "application/x-amz-json-1.1".into())],
            answer.to_string().as_bytes(),
        ),
        (None, None) if request.is_cbor() => cbor_bridge(&request, upstream, edit),
        (None, None) => forward(&request, upstream, edit),
    };
    if mode == 1 {
        if let Ok(mut recorded) = state.recorded.lock() {
            recorded.insert(key, response.clone());
        }
    }
    let _ = client.write_all(&response);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buffer, b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut request = Request {
        method,
        path,
        headers,
        body: buffer[head_end + 4..].to_vec(),
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"));
    if chunked {
        while find(&request.body, b"0\r\n\r\n").is_none() {
            let n = stream.read(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            request.body.extend_from_slice(&chunk[..n]);
        }
        request.body = dechunk(&request.body);
        request
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("transfer-encoding"));
    } else {
        let length: usize = request
            .header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        while request.body.len() < length {
            let n = stream.read(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            request.body.extend_from_slice(&chunk[..n]);
        }
    }
    Some(request)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(data, b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

/// Sends `request` (with `body` and extra headers) to moto and returns
/// (status, headers, body).
fn exchange(
    request: &Request,
    upstream: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let Ok(mut stream) = TcpStream::connect(upstream) else {
        return (502, Vec::new(), b"moto is not reachable".to_vec());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, path);
    for (k, v) in headers {
        let skip = [
            "content-length",
            "connection",
            "transfer-encoding",
            "expect",
        ];
        if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let Some(head_end) = find(&answer, b"\r\n\r\n") else {
        return (502, Vec::new(), answer);
    };
    let head = String::from_utf8_lossy(&answer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(502);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = answer[head_end + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn response(status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    for (k, v) in headers {
        let skip = ["content-length", "connection", "transfer-encoding"];
        if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn forward(request: &Request, upstream: SocketAddr, edit: Option<&Edit>) -> Vec<u8> {
    let (status, headers, mut body) = exchange(
        request,
        upstream,
        &request.path,
        &request.headers,
        &request.body,
    );
    // moto 5.2.5 names the root of GetBucketVersioning's answer
    // `GetBucketVersioningResponse`; S3 (and the SDK) say
    // `VersioningConfiguration`.
    if request.method == "GET" && request.path.contains("?versioning") {
        let text = String::from_utf8_lossy(&body)
            .replace("GetBucketVersioningResponse", "VersioningConfiguration");
        body = text.into_bytes();
    }
    if let Some(edit) = edit {
        body = edit.apply(&body);
    }
    response(status, &headers, &body)
}

/// An error answer in the request's protocol.
fn error_response(request: &Request, status: u16, code: &str) -> Vec<u8> {
    let message = format!("injected by the auditscope test proxy: {code}");
    if request.is_cbor() {
        let value = ciborium::Value::Map(vec![
            (
                ciborium::Value::Text("__type".into()),
                ciborium::Value::Text(code.into()),
            ),
            (
                ciborium::Value::Text("message".into()),
                ciborium::Value::Text(message),
            ),
        ]);
        let mut body = Vec::new();
        let _ = ciborium::into_writer(&value, &mut body);
        return response(status, &cbor_headers(), &body);
    }
    let json_protocol = request.header("x-amz-target").is_some()
        || request
            .header("content-type")
            .is_some_and(|c| c.contains("json"))
        || request.method == "GET"
            && !request.path.contains("Action=")
            && request.scope().1 != "s3";
    if json_protocol {
        let body = serde_json::json!({"__type": code, "message": message}).to_string();
        return response(
            status,
            &[
                ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                ("x-amzn-ErrorType".into(), code.into()),
            ],
            body.as_bytes(),
        );
    }
    // Query protocols and S3 Control wrap the error; S3 does not.
    let wrapped = String::from_utf8_lossy(&request.body).contains("Action=")
        || request.path.starts_with("/v20180820/");
    let xml = if wrapped {
        format!("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>")
    } else {
        format!("<Error><Code>{code}</Code><Message>{message}</Message></Error>")
    };
    response(
        status,
        &[("Content-Type".into(), "text/xml".into())],
        xml.as_bytes(),
    )
}

fn cbor_headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/cbor".into()),
        ("smithy-protocol".into(), "rpc-v2-cbor".into()),
    ]
}

/// RPCv2 CBOR → moto's JSON 1.0 CloudWatch API → CBOR.
fn cbor_bridge(request: &Request, upstream: SocketAddr, edit: Option<&Edit>) -> Vec<u8> {
    let (service, operation) = {
        let mut parts = request.path.trim_start_matches('/').split('/');
        // service/<ServiceName>/operation/<Operation>
        let service = parts.nth(1).unwrap_or_default().to_owned();
        let operation = parts.nth(1).unwrap_or_default().to_owned();
        (service, operation)
    };
    let input = if request.body.is_empty() {
        serde_json::json!({})
    } else {
        ciborium::from_reader::<ciborium::Value, _>(request.body.as_slice())
            .map(|v| cbor_to_json(&v))
            .unwrap_or(serde_json::json!({}))
    };
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(k, _)| {
            !["content-type", "smithy-protocol", "accept"]
                .iter()
                .any(|s| k.eq_ignore_ascii_case(s))
        })
        .cloned()
        .collect();
    headers.push(("Content-Type".into(), "application/x-amz-json-1.0".into()));
    headers.push(("X-Amz-Target".into(), format!("{service}.{operation}")));
    let body = input.to_string();
    let (status, _, answer) = exchange(request, upstream, "/", &headers, body.as_bytes());
    let mut json: serde_json::Value =
        serde_json::from_slice(&answer).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(Change::Json(edit)) = edit.map(|e| &e.edit) {
        edit(&mut json);
    }
    let mut out = Vec::new();
    let _ = ciborium::into_writer(&json_to_cbor(&json, ""), &mut out);
    response(status, &cbor_headers(), &out)
}

fn cbor_to_json(value: &ciborium::Value) -> serde_json::Value {
    use ciborium::Value as C;
    use serde_json::Value as J;
    match value {
        C::Integer(i) => i128::from(*i)
            .try_into()
            .map(|i: i64| J::from(i))
            .unwrap_or(J::Null),
        C::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        C::Text(t) => J::String(t.clone()),
        C::Bool(b) => J::Bool(*b),
        C::Null => J::Null,
        C::Tag(_, inner) => cbor_to_json(inner),
        C::Array(items) => J::Array(items.iter().map(cbor_to_json).collect()),
        C::Map(entries) => J::Object(
            entries
                .iter()
                .filter_map(|(k, v)| Some((k.as_text()?.to_owned(), cbor_to_json(v))))
                .collect(),
        ),
        C::Bytes(b) => J::String(String::from_utf8_lossy(b).into_owned()),
        _ => J::Null,
    }
}

/// JSON → CBOR; numbers under a key ending in `Timestamp` become epoch
/// seconds with tag 1, as Smithy's CBOR protocol sends timestamps.
fn json_to_cbor(value: &serde_json::Value, key: &str) -> ciborium::Value {
    use ciborium::Value as C;
    use serde_json::Value as J;
    match value {
        J::Number(n) if key.ends_with("Timestamp") => {
            C::Tag(1, Box::new(C::Float(n.as_f64().unwrap_or_default())))
        }
        J::Number(n) => match n.as_i64() {
            Some(i) => C::Integer(i.into()),
            None => C::Float(n.as_f64().unwrap_or_default()),
        },
        J::String(s) => C::Text(s.clone()),
        J::Bool(b) => C::Bool(*b),
        J::Null => C::Null,
        J::Array(items) => C::Array(items.iter().map(|i| json_to_cbor(i, key)).collect()),
        J::Object(map) => C::Map(
            map.iter()
                .map(|(k, v)| (C::Text(k.clone()), json_to_cbor(v, k)))
                .collect(),
        ),
    }
}

/// The endpoint keys of every service the collector calls.
const SERVICES: [&str; 17] = [
    "organizations",
    "cloudtrail",
    "logs",
    "sns",
    "guardduty",
    "config",
    "events",
    "kms",
    "sts",
    "account",
    "s3",
    "s3control",
    "cloudwatch",
    "ec2",
    "route53resolver",
    "securityhub",
    "securitylake",
];

/// Per-service endpoints: everything to moto, CloudWatch (CBOR), S3 (a
/// fixed answer), CloudWatch Logs, Security Hub and CloudTrail (faked
/// operations) through the bridge.
pub fn endpoints(moto: &Moto, bridge: &Proxy) -> BTreeMap<String, String> {
    SERVICES
        .iter()
        .map(|&service| {
            let url = if matches!(
                service,
                "cloudwatch" | "s3" | "logs" | "securityhub" | "securitylake" | "cloudtrail"
            ) {
                &bridge.url
            } else {
                &moto.url
            };
            (service.to_owned(), url.clone())
        })
        .collect()
}

/// Every service through the proxy (for fault injection and latency).
pub fn all_through(proxy: &Proxy) -> BTreeMap<String, String> {
    SERVICES
        .iter()
        .map(|s| (s.to_string(), proxy.url.clone()))
        .collect()
}

/// An SdkConfig with static test credentials and `endpoint` for all.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(120))
                .build(),
        )
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .load()
        .await
}
