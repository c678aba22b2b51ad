//! Runtime API for nodes and clients: who may search a hospital's indices, and who its doctors
//! are, answered from the current best state.

// `decl_runtime_apis!` repeats the generic's bound in the code it generates.
#![allow(clippy::multiple_bound_locations)]

use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// Questions a hospital node asks before serving searches and payloads.
    pub trait HospitalsApi<AccountId: Codec> {
        /// The hospitals whose authorisation of `hospital` is active now.
        fn authorizers_of(hospital: AccountId) -> Vec<AccountId>;
        /// Whether `doctor` is a doctor of `hospital`.
        fn is_doctor_of(doctor: AccountId, hospital: AccountId) -> bool;
        /// Whether `who` may sign transactions (a hospital or a doctor).
        fn is_member(who: AccountId) -> bool;
    }
}
