//! Records and reports as the chain holds them, read by patients' and doctors' commands, and
//! the hash check every fetched payload or report passes: a node could serve anything, the
//! chain says what it must be.

use medchain_client::{
    runtime_api::{Record, Report},
    Chain,
};
use medchain_crypto::hash::sha256;
use medchain_rpc_api::FetchReport;
use medchain_runtime::Hash;
use medchain_types::{RecordId, ReportId};
use polkadot_sdk::sp_core::{sr25519, Bytes};

use crate::{error::CommandError, text};

/// Record `id`, which must exist.
pub async fn record(chain: &Chain, id: RecordId, at: Option<Hash>) -> Result<Record, CommandError> {
    let record: Option<Record> = chain.at(at).record(id).await?;
    record.ok_or_else(|| {
        CommandError::Refused(format!(
            "there is no record {id}: check the id (`medchain doctor search`, `medchain patient reports`)"
        ))
    })
}

/// The report on record `id` and its id, which must exist.
pub async fn report_on(chain: &Chain, id: RecordId) -> Result<(ReportId, Report), CommandError> {
    let report: Option<(ReportId, Report)> = chain.at(None).report_on(id).await?;
    report.ok_or_else(|| {
        CommandError::Refused(format!(
            "record {id} has no report yet: its assigned doctor submits one with `medchain doctor report`"
        ))
    })
}

/// Checks that `bytes` hash to what the chain says `what` hashes to.
pub fn check_hash(what: &str, bytes: &[u8], expected: &[u8; 32]) -> Result<(), CommandError> {
    let actual = sha256(bytes);
    if &actual == expected {
        return Ok(());
    }
    Err(CommandError::Refused(format!(
        "the node served a {what} whose SHA-256 is {}, not {} as on-chain: it is damaged or not the one published; try again or ask another hospital's node",
        text::hex(&actual),
        text::hex(expected)
    )))
}

/// Fetches the sealed report on record `id` through the node, checked against `report`.
pub async fn fetch_report(
    chain: &Chain,
    signer: &sr25519::Pair,
    id: RecordId,
    report: &Report,
) -> Result<Vec<u8>, CommandError> {
    let sealed: Bytes = chain
        .client()
        .request(signer, FetchReport { record: id })
        .await?;
    check_hash("report", &sealed, &report.payload_hash)?;
    Ok(sealed.0)
}
