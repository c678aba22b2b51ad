//! `medchain audit`: the auditor's replay of the ledger (`SPEC.md`, the auditor's role).
//!
//! The auditor trusts no node: it replays from genesis to the last finalised block through the
//! standard Substrate RPC, checks the hash chain, GRANDPA finality and every state read against
//! the headers, rebuilds the history from the events, and checks MedChain's rules over it.

pub mod anomalies;
pub mod chain;
pub mod events;
pub mod fetch;
pub mod findings;
pub mod history;
pub mod ledger;
pub mod replay;
pub mod report;
pub mod rules;

use std::{
    io::{self, Write},
    path::PathBuf,
    process::ExitCode,
};

use clap::{Args, Subcommand};
use medchain_runtime::Hash;
use serde::Serialize;

use self::{
    anomalies::Thresholds,
    fetch::DEFAULT_CONCURRENCY,
    findings::{Finding, Tally},
    replay::{Audit, FinalityEvidence, ReplayError, ReplayOptions, Summary},
    rules::RuleConfig,
};
use crate::{context::Context, output::Render};
use medchain_client::rpc::{NodeClient, RpcError};

/// The auditor's commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Replay the ledger from genesis to the last finalised block; print the history and the
    /// findings.
    Replay(ReplayArgs),
    /// Replay and print only the findings; exit with status 1 when the ledger fails (an
    /// integrity failure or a rule violation; anomalies do not fail it).
    Verify(ReplayArgs),
    /// Replay and write `history.json` and a self-contained `report.html`.
    Report {
        /// How to replay.
        #[command(flatten)]
        replay: ReplayArgs,
        /// Directory to write the files into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Options of every replay.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The genesis hash the network's chain spec gives (0x...): a node serving another chain is
    /// an integrity failure. Without it the node's genesis is taken as given.
    #[arg(long, value_parser = parse_hash)]
    pub genesis: Option<Hash>,
    /// Blocks fetched at a time.
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Blocks before an access's block in which an authorisation still justifies it: a node
    /// checks its rule at the block it serves at and logs a block or two later. 0 is strict.
    #[arg(long, default_value_t = 0)]
    pub grace_blocks: u32,
    /// Anomaly thresholds.
    #[command(flatten)]
    pub thresholds: Thresholds,
}

impl ReplayArgs {
    fn options(&self) -> ReplayOptions {
        ReplayOptions {
            concurrency: usize::from(self.concurrency),
            genesis: self.genesis,
            rules: RuleConfig {
                grace_blocks: self.grace_blocks,
            },
            thresholds: self.thresholds,
        }
    }
}

fn parse_hash(text: &str) -> Result<Hash, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bytes = hex::decode(digits).map_err(|e| format!("not hex: {e}"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(Hash::from)
        .map_err(|_| format!("a block hash is 32 bytes, not {}", bytes.len()))
}

/// An audit command could not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The node could not be reached.
    #[error(transparent)]
    Connect(#[from] RpcError),
    /// The replay stopped.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// Output could not be written.
    #[error("cannot write the output: {0}")]
    Io(#[from] io::Error),
}

/// Runs `command` in `context`.
pub async fn exec(command: AuditCommand, context: &Context) -> Result<ExitCode, AuditError> {
    let (node, output) = (context.node(), context.output());
    let client = NodeClient::connect(node).await?;
    match command {
        AuditCommand::Replay(args) => {
            let audit = replay::replay(&client, node, &args.options(), output).await?;
            Ok(output.show(&audit)?)
        }
        AuditCommand::Verify(args) => {
            let audit = replay::replay(&client, node, &args.options(), output).await?;
            Ok(output.show(&Verdict {
                passed: audit.summary.tally.passed(),
                summary: &audit.summary,
                findings: &audit.findings,
            })?)
        }
        AuditCommand::Report { replay: args, out } => {
            let audit = replay::replay(&client, node, &args.options(), output).await?;
            let written = report::write(&audit, &out)?;
            Ok(output.show(&Reported {
                summary: &audit.summary,
                written,
            })?)
        }
    }
}

impl Render for Audit {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        print_history(self, out)?;
        print_findings(&self.findings, out)?;
        print_summary(&self.summary, out)
    }
}

/// What `verify` prints.
#[derive(Serialize)]
struct Verdict<'a> {
    passed: bool,
    summary: &'a Summary,
    findings: &'a [Finding],
}

impl Render for Verdict<'_> {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        print_findings(self.findings, out)?;
        print_summary(self.summary, out)
    }

    /// A ledger that fails the audit is a failure of the command, for scripts and CI.
    fn exit_code(&self) -> ExitCode {
        if self.passed {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

/// What `report` prints.
#[derive(Serialize)]
struct Reported<'a> {
    summary: &'a Summary,
    written: report::Written,
}

impl Render for Reported<'_> {
    fn render(&self, out: &mut dyn Write) -> io::Result<()> {
        print_summary(self.summary, out)?;
        writeln!(out, "history: {}", self.written.history.display())?;
        writeln!(out, "report:  {}", self.written.report.display())
    }
}

fn print_history(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "History")?;
    for entry in &audit.history.entries {
        writeln!(out, "  #{:<8} {}", entry.block, entry.event)?;
    }
    if audit.history.entries.is_empty() {
        writeln!(out, "  (no events)")?;
    }
    writeln!(out)
}

fn print_findings(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Findings")?;
    for finding in findings {
        let kind = serde_json::to_value(finding.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let severity = serde_json::to_value(finding.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        writeln!(
            out,
            "  [{severity}] #{} {kind}: {}",
            finding.block, finding.message
        )?;
    }
    if findings.is_empty() {
        writeln!(out, "  none")?;
    }
    writeln!(out)
}

fn print_summary(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let Tally {
        integrity,
        violations,
        review,
    } = summary.tally;
    let finality = match summary.finality {
        FinalityEvidence::StoredJustification => "proven by the node's stored justification",
        FinalityEvidence::FinalityProof => "proven by the node's GRANDPA finality proof",
        FinalityEvidence::Unproven => "NOT proven",
    };
    writeln!(out, "Summary")?;
    writeln!(out, "  node:            {}", summary.node)?;
    writeln!(out, "  genesis:         {:?}", summary.genesis.hash)?;
    writeln!(
        out,
        "  replayed to:     #{} {:?}",
        summary.finalized.number, summary.finalized.hash
    )?;
    writeln!(out, "  finality:        {finality}")?;
    writeln!(
        out,
        "  justifications:  {} verified; GRANDPA set {}",
        summary.justifications_verified, summary.authority_set_id
    )?;
    writeln!(
        out,
        "  history:         {} events, {} records, {} accesses",
        summary.events, summary.records, summary.accesses
    )?;
    writeln!(
        out,
        "  speed:           {} blocks in {:.1} s ({:.0} blocks/s)",
        summary.finalized.number + 1,
        summary.seconds,
        summary.blocks_per_second
    )?;
    writeln!(
        out,
        "  result:          {}: {integrity} integrity failures, {violations} violations, {review} to review",
        if summary.tally.passed() { "PASSED" } else { "FAILED" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn audit_cli_parses_hashes_and_rejects_bad_ones() {
        let hash = format!("0x{}", "ab".repeat(32));
        assert_eq!(parse_hash(&hash), Ok(Hash::repeat_byte(0xab)));
        assert!(parse_hash("0x1234").is_err());
        assert!(parse_hash("zz").is_err());
    }

    #[test]
    fn audit_cli_parses_report_options() {
        let cli = crate::Cli::try_parse_from([
            "medchain",
            "--json",
            "audit",
            "report",
            "--out",
            "/tmp/x",
            "--burst-window",
            "50",
        ])
        .expect("parses");
        assert!(cli.global.json);
        let crate::Command::Audit(AuditCommand::Report { replay, out }) = cli.command else {
            panic!("not audit report");
        };
        assert_eq!(out, PathBuf::from("/tmp/x"));
        assert_eq!(replay.thresholds.burst_window, 50);
        assert_eq!(replay.concurrency, DEFAULT_CONCURRENCY);
    }
}
