//! What the pallet needs from the rest of the runtime when the set of hospitals changes.

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
