//! Runtime API for patients' hospitals and auditors: the report on a record and its disclosure,
//! and for the node that keeps a report's payload: which report an address is.

use codec::Codec;
use medchain_types::{CompressedG1, RecordId, ReportId};

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// Reports and disputes.
    pub trait ResultsApi<Report> where Report: Codec {
        /// The report on `record`, if its assigned doctor submitted one.
        fn report_on(record: RecordId) -> Option<(ReportId, Report)>;
        /// The report whose sealed payload has SHA-256 `payload_hash`.
        fn report_by_payload(payload_hash: [u8; 32]) -> Option<(ReportId, Report)>;
        /// The shared point `S` the patient disclosed for `report`, if it was disputed.
        fn disclosure(report: ReportId) -> Option<CompressedG1>;
    }
}
