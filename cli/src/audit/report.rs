//! `audit report`: the audit as files for people who were not at the terminal.
//!
//! - `history.json`: the whole [`Audit`] (summary, history, findings), for other tools;
//! - `report.html`: one self-contained page (inline CSS, no scripts, nothing fetched), with the
//!   findings at the top, then a timeline per record and per hospital.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use medchain_types::RecordId;
use serde::Serialize;

use super::{
    findings::{Finding, Severity},
    history::{Account, Entry, Event},
    replay::{Audit, FinalityEvidence},
};

/// Where the report was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The JSON history.
    pub history: PathBuf,
    /// The HTML report.
    pub report: PathBuf,
}

/// Writes `history.json` and `report.html` for `audit` into `dir`, creating it if needed.
pub fn write(audit: &Audit, dir: &Path) -> std::io::Result<Written> {
    fs::create_dir_all(dir)?;
    let written = Written {
        history: dir.join("history.json"),
        report: dir.join("report.html"),
    };
    let json = serde_json::to_vec_pretty(audit).map_err(std::io::Error::other)?;
    fs::write(&written.history, json)?;
    fs::write(&written.report, html(audit))?;
    Ok(written)
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}\
h1,h2,h3{font-weight:600}h3{margin-top:1.5em;font-size:1em;word-break:break-all}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #ddd;vertical-align:top}\
td{word-break:break-word}td.n{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}\
.integrity{background:#fbe3e4}.violation{background:#fff1d6}.review{background:#eef3fb}\
.ok{color:#1a7f37;font-weight:600}.bad{color:#b42318;font-weight:600}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{color:#555}dd{margin:0;word-break:break-all}";

/// The HTML page.
pub fn html(audit: &Audit) -> String {
    let mut page = String::new();
    let summary = &audit.summary;
    let tally = &summary.tally;
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MedChain audit</title><style>{STYLE}</style></head><body><h1>MedChain ledger audit</h1>"
    );
    let verdict = if tally.passed() {
        "<span class=\"ok\">passed</span>"
    } else {
        "<span class=\"bad\">failed</span>"
    };
    let finality = match summary.finality {
        FinalityEvidence::StoredJustification => "a justification kept by the node",
        FinalityEvidence::FinalityProof => "the node's GRANDPA finality proof",
        FinalityEvidence::Unproven => "not proven",
    };
    let _ = write!(
        page,
        "<dl><dt>verdict</dt><dd>{verdict}: {} integrity failures, {} violations, {} to review</dd>\
<dt>node</dt><dd>{}</dd><dt>genesis</dt><dd>{:?}</dd><dt>replayed to</dt><dd>block #{} {:?}</dd>\
<dt>finality of the last block</dt><dd>{finality}</dd><dt>justifications verified</dt><dd>{}</dd>\
<dt>GRANDPA set</dt><dd>{}</dd><dt>history</dt><dd>{} events, {} records, {} accesses</dd></dl>",
        tally.integrity,
        tally.violations,
        tally.review,
        escape(&summary.node),
        summary.genesis.hash,
        summary.finalized.number,
        summary.finalized.hash,
        summary.justifications_verified,
        summary.authority_set_id,
        summary.events,
        summary.records,
        summary.accesses,
    );

    page.push_str("<h2>Findings</h2>");
    if audit.findings.is_empty() {
        page.push_str("<p class=\"ok\">None.</p>");
    } else {
        page.push_str("<table><tr><th>severity</th><th>block</th><th>check</th><th>record</th><th>what</th></tr>");
        for finding in &audit.findings {
            push_finding(&mut page, finding);
        }
        page.push_str("</table>");
    }

    page.push_str("<h2>Records</h2>");
    let mut by_record: BTreeMap<RecordId, Vec<&Entry>> = BTreeMap::new();
    for entry in &audit.history.entries {
        if let Some(record) = entry.event.record() {
            by_record.entry(record).or_default().push(entry);
        }
    }
    if by_record.is_empty() {
        page.push_str("<p>No record was published.</p>");
    }
    for (record, entries) in &by_record {
        let findings: Vec<&Finding> = audit
            .findings
            .iter()
            .filter(|f| f.record == Some(*record))
            .collect();
        push_timeline(&mut page, &format!("Record {record}"), entries);
        if !findings.is_empty() {
            page.push_str("<table>");
            findings
                .into_iter()
                .for_each(|f| push_finding(&mut page, f));
            page.push_str("</table>");
        }
    }

    page.push_str("<h2>Hospitals</h2>");
    let names = hospital_names(&audit.history.entries);
    for (hospital, entries) in by_hospital(&audit.history.entries) {
        let title = match names.get(&hospital) {
            Some(name) => format!("Hospital {hospital} ({name})"),
            None => format!("Hospital {hospital}"),
        };
        push_timeline(&mut page, &title, &entries);
    }
    page.push_str("</body></html>\n");
    page
}

fn push_finding(page: &mut String, finding: &Finding) {
    let class = match finding.severity {
        Severity::Integrity => "integrity",
        Severity::Violation => "violation",
        Severity::Review => "review",
    };
    let kind = serde_json::to_value(finding.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let record = finding.record.map(|r| r.to_string()).unwrap_or_default();
    let _ = write!(
        page,
        "<tr class=\"{class}\"><td>{class}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{record}</td><td>{}</td></tr>",
        finding.block,
        escape(&kind),
        escape(&finding.message),
    );
}

fn push_timeline(page: &mut String, title: &str, entries: &[&Entry]) {
    let _ = write!(
        page,
        "<h3>{}</h3><table><tr><th>block</th><th>event</th></tr>",
        escape(title)
    );
    for entry in entries {
        let _ = write!(
            page,
            "<tr><td class=\"n\">{}</td><td>{}</td></tr>",
            entry.block,
            escape(&entry.event.to_string())
        );
    }
    page.push_str("</table>");
}

/// The names hospitals were admitted under (founding hospitals are named in the chain spec,
/// not in events).
fn hospital_names(entries: &[Entry]) -> BTreeMap<Account, String> {
    entries
        .iter()
        .filter_map(|entry| match &entry.event {
            Event::HospitalAdmitted { hospital, name } => Some((hospital.clone(), name.clone())),
            _ => None,
        })
        .collect()
}

/// The entries that concern each hospital: those naming it, and those naming its doctors (a
/// doctor belongs to the hospital it was last added to).
fn by_hospital(entries: &[Entry]) -> BTreeMap<Account, Vec<&Entry>> {
    let mut hospitals: BTreeMap<Account, Vec<&Entry>> = BTreeMap::new();
    let mut doctor_of: BTreeMap<Account, Account> = BTreeMap::new();
    let mut kgc = Vec::new();
    for entry in entries {
        match &entry.event {
            Event::DoctorAdded { hospital, doctor } => {
                doctor_of.insert(doctor.clone(), hospital.clone());
            }
            Event::KgcChanged { kgc: account } => kgc.push(account.clone()),
            _ => {}
        }
        let mut concerned: Vec<Account> = entry
            .event
            .accounts()
            .into_iter()
            .map(|account| doctor_of.get(account).unwrap_or(account).clone())
            .collect();
        concerned.sort();
        concerned.dedup();
        for hospital in concerned {
            hospitals.entry(hospital).or_default().push(entry);
        }
    }
    // The KGC is not a hospital.
    hospitals.retain(|account, _| !kgc.contains(account));
    hospitals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{
        findings::{Kind, Tally},
        history::History,
        replay::{BlockRef, Summary},
        rules::tests::{access, account, at, setup},
    };
    use medchain_runtime::Hash;

    fn audit() -> Audit {
        let mut entries = vec![at(
            0,
            Event::HospitalAdmitted {
                hospital: account("h2"),
                name: "St. <Example>".into(),
            },
        )];
        entries.extend(setup());
        entries.push(access(4, "h2", "d2"));
        let findings = vec![Finding {
            severity: Severity::Violation,
            kind: Kind::AccessWithoutAuthorization,
            block: 4,
            record: Some(RecordId::new(0)),
            accounts: vec![account("h2"), account("d2")],
            message: "d2 <script>".into(),
        }];
        let block = BlockRef {
            number: 9,
            hash: Hash::repeat_byte(1),
        };
        Audit {
            summary: Summary {
                node: "http://node".into(),
                genesis: block,
                finalized: block,
                justifications_verified: 1,
                proven_final_up_to: Some(9),
                finality: FinalityEvidence::StoredJustification,
                authority_set_id: 0,
                events: entries.len(),
                records: 1,
                accesses: 1,
                tally: Tally::of(&findings),
                seconds: 1.0,
                blocks_per_second: 10.0,
            },
            history: History {
                tree_depth: Some(2),
                entries,
            },
            findings,
        }
    }

    #[test]
    fn audit_report_writes_json_and_self_contained_html() {
        let dir =
            std::env::temp_dir().join(format!("medchain-audit-report-{}", std::process::id()));
        let audit = audit();
        let written = write(&audit, &dir).expect("written");
        let json: Audit = serde_json::from_slice(&fs::read(&written.history).expect("read"))
            .expect("history.json parses back");
        assert_eq!(json, audit);
        let html = fs::read_to_string(&written.report).expect("read");
        let findings_at = html.find("<h2>Findings</h2>").expect("findings section");
        let records_at = html.find("<h2>Records</h2>").expect("records section");
        assert!(findings_at < records_at, "findings come first");
        assert!(html.contains("access_without_authorization"));
        assert!(html.contains("d2 &lt;script&gt;"), "messages are escaped");
        assert!(html.contains("<h3>Record 0</h3>"));
        assert!(html.contains("<h3>Hospital h1</h3>"));
        assert!(html.contains("<h3>Hospital h2 (St. &lt;Example&gt;)</h3>"));
        // The record's own timeline repeats its finding.
        let record_section = &html[html.find("<h3>Record 0</h3>").expect("record 0")..];
        assert!(record_section.contains("access_without_authorization"));
        assert!(
            !html.contains("<h3>Hospital d2</h3>"),
            "doctors are not hospitals"
        );
        assert!(
            !html.contains("src=") && !html.contains("href="),
            "no external assets"
        );
        fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
