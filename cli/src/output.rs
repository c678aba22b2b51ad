//! Where results go: human-readable text by default, one JSON document with `--json`.
//!
//! A command does its work and returns what it found as a value; how that value reads for
//! people is its [`Render`] implementation, beside the type, and [`Output::show`] picks the
//! form. So every command offers both forms without choosing between them, and the work can be
//! read without the wording. Progress and errors go to stderr, so stdout stays clean for JSON
//! consumers.

use std::{
    io::{self, Write},
    process::ExitCode,
};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// A command's result: serialisable for `--json`, and written as sentences for people.
pub trait Render: Serialize {
    /// Writes the result for people.
    fn render(&self, out: &mut dyn Write) -> io::Result<()>;

    /// The process's exit status for this result: success, unless the result is a verdict
    /// against what was checked.
    fn exit_code(&self) -> ExitCode {
        ExitCode::SUCCESS
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Text for people, with a progress bar on stderr.
    Human,
    /// One JSON document on stdout, nothing else.
    Json,
}

impl Output {
    /// `Json` when `--json` was given.
    pub fn new(json: bool) -> Self {
        if json {
            Output::Json
        } else {
            Output::Human
        }
    }

    /// Prints `result` as JSON or as text, and returns its exit status.
    pub fn show<R: Render>(self, result: &R) -> io::Result<ExitCode> {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        match self {
            Output::Json => {
                serde_json::to_writer_pretty(&mut out, result).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            Output::Human => result.render(&mut out)?,
        }
        Ok(result.exit_code())
    }

    /// Reports a failed command on stderr (as `{"error": ...}` on stdout in JSON mode, so a
    /// script reading stdout always gets a document).
    pub fn error(self, error: &dyn std::error::Error) {
        match self {
            Output::Json => {
                let message = serde_json::json!({ "error": error.to_string() });
                println!("{message}");
            }
            Output::Human => eprintln!("error: {error}"),
        }
    }

    /// A progress bar over `len` steps on stderr; hidden in JSON mode.
    pub fn progress(self, len: u64, what: &str) -> ProgressBar {
        if self == Output::Json {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        let style =
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
                .map(|style| style.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_owned());
        bar
    }

    /// A spinner on stderr for a step of unknown length (an upload in one request, a wait for
    /// finality); hidden in JSON mode. It ticks on its own until finished.
    pub fn spinner(self, what: &str) -> ProgressBar {
        if self == Output::Json {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_message(what.to_owned());
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    }
}
