//! What the pallet needs from the rest of the runtime when the set of hospitals or doctors
//! changes.

use polkadot_sdk::sp_runtime::DispatchResult;

/// Where validators' session keys live (the session pallet in the runtime).
pub trait KeyRegistry<AccountId, Keys> {
    /// Record `keys` as `who`'s session keys, effective from the next session it validates in.
    fn register(who: &AccountId, keys: Keys) -> DispatchResult;
    /// Forget `who`'s session keys.
    fn unregister(who: &AccountId) -> DispatchResult;
}

/// The set of nodes allowed to peer (node authorisation in the runtime).
pub trait PeerRegistry<AccountId> {
    /// Let `owner`'s node, `peer_id`, peer with the other hospitals' nodes.
    fn authorize(owner: &AccountId, peer_id: &[u8]) -> DispatchResult;
    /// Stop `peer_id` from peering.
    fn revoke(owner: &AccountId, peer_id: &[u8]) -> DispatchResult;
}

/// Doctors' attribute keys (the KGC pallet in the runtime). A doctor's key decrypts without its
/// hospital (`CRYPTO.md` section 1, "Doctor alone"), so leaving the hospital must not leave the
/// doctor with a key that still works: the hospital removes a doctor only once it is revoked.
pub trait DoctorKeys<AccountId> {
    /// Whether `doctor` holds an issued key that is not revoked for the current epoch.
    fn holds_unrevoked_key(doctor: &AccountId) -> bool;

    /// Gives `doctor` a revoked key, in the state that makes [`Self::holds_unrevoked_key`]
    /// costliest to answer, so that the `remove_doctor` benchmark measures its worst case.
    #[cfg(feature = "runtime-benchmarks")]
    fn revoked_for_benchmark(_doctor: &AccountId) {}
}

/// No keys: for tests and chains whose doctors hold no keys.
impl<AccountId> DoctorKeys<AccountId> for () {
    fn holds_unrevoked_key(_: &AccountId) -> bool {
        false
    }
}

/// No registry: for tests and chains that do not rotate validators or restrict peers.
impl<AccountId, Keys> KeyRegistry<AccountId, Keys> for () {
    fn register(_: &AccountId, _: Keys) -> DispatchResult {
        Ok(())
    }
    fn unregister(_: &AccountId) -> DispatchResult {
        Ok(())
    }
}

impl<AccountId> PeerRegistry<AccountId> for () {
    fn authorize(_: &AccountId, _: &[u8]) -> DispatchResult {
        Ok(())
    }
    fn revoke(_: &AccountId, _: &[u8]) -> DispatchResult {
        Ok(())
    }
}
