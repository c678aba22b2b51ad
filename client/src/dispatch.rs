//! Why a transaction failed, in words: a `DispatchError` turned into the pallet's error name
//! and its documentation ([`medchain_runtime::errors`]), plus what to do next for the errors
//! people run into.

use std::fmt;

use polkadot_sdk::sp_runtime::DispatchError;
use serde::Serialize;

/// A failed dispatch, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispatchFailure {
    /// The pallet whose error it is (`None` for a system-level error such as `BadOrigin`).
    pub pallet: Option<String>,
    /// The error's name, e.g. `NotADoctor`.
    pub error: String,
    /// The error's documentation.
    pub doc: String,
    /// What to do about it, when this CLI knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
}

impl fmt::Display for DispatchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pallet) = &self.pallet {
            write!(f, "{pallet}.")?;
        }
        write!(f, "{}", self.error)?;
        if !self.doc.is_empty() {
            write!(f, " ({})", self.doc.trim_end_matches('.'))?;
        }
        if let Some(hint) = self.hint {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

/// Names `error`.
pub fn describe(error: &DispatchError) -> DispatchFailure {
    let (pallet, name, doc) = match medchain_runtime::errors::named(error) {
        Some(named) => (Some(named.pallet), named.name, named.doc),
        None => {
            let doc: &'static str = (*error).into();
            (None, format!("{error:?}"), doc.to_owned())
        }
    };
    DispatchFailure {
        hint: hint(pallet.as_deref(), &name),
        pallet,
        error: name,
        doc,
    }
}

/// What to do next after the errors a user can fix.
fn hint(pallet: Option<&str>, error: &str) -> Option<&'static str> {
    Some(match (pallet?, error) {
        ("Kgc", "NotKgc") => "sign with the KGC's account key (`medchain kgc status` shows the KGC account)",
        ("Kgc", "NotADoctor") => "the doctor is not registered at any hospital: ask their hospital to run `medchain hospital add-doctor`",
        ("Kgc", "NoLeaf") => "the doctor holds no key yet: issue one with `medchain kgc issue-key`",
        ("Kgc", "AlreadyRevoked") => "nothing to do: the doctor is already revoked",
        ("Kgc", "WrongEpoch" | "NodeSetMismatch" | "RevocationWitnessTooLow") => {
            "the epoch or the revocation list changed meanwhile: run the command again"
        }
        ("Kgc", "NoEncryptionKey") => "the doctor registers their encryption key first: `medchain doctor register`",
        ("Kgc", "EncryptionKeyChanged" | "WrongLeaf") => {
            "the doctor's key or the next free leaf changed meanwhile: run `medchain kgc issue-key` again"
        }
        ("Kgc", "KeyAlreadyIssued") => "a doctor is issued one key for life; a new identity needs a new account",
        ("Kgc", "InvalidEncryptionKey") => "the key is not a valid public key: make a new one with `medchain doctor keygen`",
        ("Hospitals", "DoctorKeyNotRevoked") => {
            "the KGC revokes the doctor first (`medchain kgc revoke`), so that no hospital can decrypt for them"
        }
        ("Hospitals", "AlreadyMember") => "the account is already a hospital or a doctor of one",
        ("Hospitals", "UnknownHospital" | "NotAuthorized") => "check the accounts with `medchain hospital status`",
        ("Hospitals", "ExpiryInPast") => "give a positive --expires-in",
        ("Records" | "Results", "NotAHospital") => "sign with a registered hospital's account key",
        ("Records", "UnknownRecord") | ("Results", "UnknownRecord" | "UnknownReport") => {
            "check the record id (`medchain doctor search`, `medchain patient reports`)"
        }
        ("Records", "NotRecordHolder") => "only the hospital holding the record may do this",
        ("Records", "StaleEpoch") => "the KGC moved to a new epoch meanwhile: upload again",
        ("Records", "NoConsultation") => "the record's hospital opens one with `medchain hospital open-consultation`",
        ("Records", "ConsultationClosed") => "the consultation is closed: see who was assigned with `medchain patient reports`",
        ("Records", "DoctorNotActive") => "the doctor holds no active key: the KGC issues one with `medchain kgc issue-key`",
        ("Results", "NotAssigned") => "only the doctor assigned in the record's consultation reports on it (`medchain doctor claim` while it is open)",
        ("Results", "ReportExists") => "the record already has its report",
        ("Results", "AlreadyDisputed") => "the report is already disclosed: nothing to do",
        ("Council", "NotMember") => "only a member hospital's account proposes and votes",
        ("Council", "ProposalMissing" | "WrongIndex") => "check the proposal hash that `medchain hospital admit` printed",
        ("Council", "DuplicateVote") => "this hospital has already voted so",
        ("Council", "DuplicateProposal") => "the same proposal is already open: vote on it with `medchain hospital vote`",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use medchain_runtime::{pallet_kgc, pallet_results, Runtime};

    #[test]
    fn a_module_error_is_named_with_its_doc_and_hint() {
        let error: DispatchError = pallet_kgc::Error::<Runtime>::NotADoctor.into();
        let failure = describe(&error);
        assert_eq!(failure.pallet.as_deref(), Some("Kgc"));
        assert_eq!(failure.error, "NotADoctor");
        assert_eq!(
            failure.doc,
            "The account is not a doctor of any registered hospital."
        );
        assert!(failure
            .hint
            .is_some_and(|h| h.contains("hospital add-doctor")));

        let error: DispatchError = pallet_results::Error::<Runtime>::InvalidProof.into();
        let failure = describe(&error);
        assert_eq!(
            (failure.pallet.as_deref(), failure.error.as_str()),
            (Some("Results"), "InvalidProof")
        );
        assert!(failure.to_string().starts_with("Results.InvalidProof ("));
    }

    #[test]
    fn other_errors_keep_their_names() {
        let failure = describe(&DispatchError::BadOrigin);
        assert_eq!(failure.pallet, None);
        assert_eq!(failure.error, "BadOrigin");
        assert_eq!(failure.doc, "Bad origin");
    }
}
