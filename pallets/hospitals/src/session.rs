//! The validator set follows the registry: every registered hospital validates.

use crate::{Config, Pallet, ValidatorsChanged};
use alloc::vec::Vec;
use polkadot_sdk::{pallet_session::SessionManager, sp_staking::SessionIndex};

impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
    /// Hands the session pallet the hospitals only when they changed since the last planned
    /// session: an admitted hospital validates from the session after the next one, a removed one
    /// stops then.
    fn new_session(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
        ValidatorsChanged::<T>::take().then(Self::sorted_hospitals)
    }

    /// The genesis validators are the founding hospitals.
    fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
        ValidatorsChanged::<T>::kill();
        Some(Self::sorted_hospitals())
    }

    fn end_session(_end_index: SessionIndex) {}

    fn start_session(_start_index: SessionIndex) {}
}
