//! Running the `medchain` CLI as its users do, with `--json` so that tests read its answers.

use crate::network::cli_binary;
use serde_json::Value;
use std::{ffi::OsStr, process::Command};

/// What one run of the CLI printed, and how it ended.
pub struct Run {
    /// The exit status (`None` if a signal ended it).
    pub code: Option<i32>,
    /// What it printed on stdout: one JSON document.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

/// Runs `medchain --json --node <node> <args>`.
pub fn run<I, S>(node: &str, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = Command::new(cli_binary())
        .args(["--json", "--node", node])
        .args(args)
        .output()
        .expect("the medchain CLI runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `medchain --json --node <node> <args>`: its JSON answer, or what it printed when it
/// failed.
pub fn medchain<I, S>(node: &str, args: I) -> Result<Value, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let run = run(node, args);
    if run.code != Some(0) {
        return Err(format!(
            "exit status {:?}: {}{}",
            run.code, run.stdout, run.stderr
        ));
    }
    serde_json::from_str(&run.stdout).map_err(|e| format!("not JSON ({e}): {}", run.stdout))
}
