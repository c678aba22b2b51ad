//! A minimal blocking JSON-RPC-over-HTTP client: enough for tests, with no async runtime.

use serde_json::{json, Value};
use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

/// The JSON-RPC endpoint of one node.
#[derive(Clone, Debug)]
pub struct Rpc {
    port: u16,
}

/// A call failed: the node is unreachable, or answered with a JSON-RPC error.
#[derive(Debug)]
pub enum RpcError {
    Transport(String),
    Call(Value),
}

impl Rpc {
    pub fn new(port: u16) -> Self {
        Self { port }
    }

    /// Calls `method` with `params` and returns its `result`.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let body =
            json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
        let payload = self.post(&body)?;
        let reply: Value = serde_json::from_str(&payload)
            .map_err(|e| RpcError::Transport(format!("{e}: {payload}")))?;
        match reply.get("error") {
            Some(error) => Err(RpcError::Call(error.clone())),
            None => Ok(reply["result"].clone()),
        }
    }

    /// Posts a JSON-RPC `body` (one request or a batch) and returns the answer's body.
    pub fn post(&self, body: &str) -> Result<String, RpcError> {
        let transport = |e: std::io::Error| RpcError::Transport(e.to_string());
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(transport)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(transport)?;
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .map_err(transport)?;
        let mut response = String::new();
        stream.read_to_string(&mut response).map_err(transport)?;
        let (head, payload) = response
            .split_once("\r\n\r\n")
            .ok_or_else(|| RpcError::Transport(format!("malformed HTTP response: {response}")))?;
        if !head.starts_with("HTTP/1.1 200") {
            return Err(RpcError::Transport(response));
        }
        Ok(payload.to_owned())
    }

    /// Like [`Rpc::call`], for calls a test expects to succeed.
    pub fn expect(&self, method: &str, params: Value) -> Value {
        self.call(method, params)
            .unwrap_or_else(|e| panic!("{method} on port {} failed: {e:?}", self.port))
    }
}
