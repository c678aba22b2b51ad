//! A JSON-RPC proxy in front of a real node that alters chosen answers: what an auditor's replay
//! must catch when the node it reads from (or the network path to it) lies.
//!
//! It serves HTTP/1.1 with keep-alive, forwards every request (single or batch) to the node
//! unchanged, and passes each answer's `result` through the test's rule, with the method and
//! parameters of the request it answers.

use serde_json::Value;
use std::{
    collections::HashMap,
    io::{self, BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::Arc,
    thread,
    time::Duration,
};

/// The parameters of a request that names none.
static NO_PARAMS: Value = Value::Null;

/// How a test alters an answer: `(method, params, result)`.
pub type Rule = dyn Fn(&str, &Value, &mut Value) + Send + Sync;

/// A running proxy; it lives as long as the test process.
pub struct TamperProxy {
    /// The port clients connect to.
    pub port: u16,
}

impl TamperProxy {
    /// Starts a proxy to the node answering JSON-RPC on loopback port `node`, altering answers
    /// with `rule`.
    pub fn start(
        node: u16,
        rule: impl Fn(&str, &Value, &mut Value) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
        let port = listener.local_addr().expect("bound").port();
        let rule: Arc<Rule> = Arc::new(rule);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let rule = rule.clone();
                thread::spawn(move || serve(stream, node, rule.as_ref()));
            }
        });
        Self { port }
    }

    /// The URL clients use.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, node: u16, rule: &Rule) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(body) = read_request(&mut reader) {
        let Ok(answer) = forward(node, &body) else {
            return;
        };
        let answer = alter(&body, &answer, rule);
        let written = write!(
            writer,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if written.is_err() {
            return;
        }
    }
}

/// Posts a JSON-RPC `body` (one request or a batch) to the node on loopback `port`: the body
/// of its answer.
fn forward(port: u16, body: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    match response.split_once("\r\n\r\n") {
        Some((head, payload)) if head.starts_with("HTTP/1.1 200") => Ok(payload.to_owned()),
        _ => Err(io::Error::other(format!("the node answered: {response}"))),
    }
}

/// One request's body, or `None` at the end of the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// The node's `answer` to `request`, each result passed through `rule`.
fn alter(request: &str, answer: &str, rule: &Rule) -> String {
    let (Ok(request), Ok(mut answer)) = (
        serde_json::from_str::<Value>(request),
        serde_json::from_str::<Value>(answer),
    ) else {
        return answer.to_owned();
    };
    let calls: Vec<&Value> = match &request {
        Value::Array(calls) => calls.iter().collect(),
        call => vec![call],
    };
    let by_id: HashMap<String, (&str, &Value)> = calls
        .iter()
        .filter_map(|call| {
            Some((
                call.get("id")?.to_string(),
                (
                    call.get("method")?.as_str()?,
                    call.get("params").unwrap_or(&NO_PARAMS),
                ),
            ))
        })
        .collect();
    let mut apply = |reply: &mut Value| {
        let Some(id) = reply.get("id").map(Value::to_string) else {
            return;
        };
        if let (Some((method, params)), Some(result)) = (by_id.get(&id), reply.get_mut("result")) {
            rule(method, params, result);
        }
    };
    match &mut answer {
        Value::Array(replies) => replies.iter_mut().for_each(&mut apply),
        reply => apply(reply),
    }
    answer.to_string()
}
