//! The runtime's side of the hospitals pallet's registries: session keys go to the session
//! pallet, node peer ids to node authorisation.

use crate::{AccountId, NodeAuthorization, Runtime, RuntimeOrigin, SessionKeys};
use alloc::vec::Vec;
use pallet_hospitals::traits::{KeyRegistry, PeerRegistry};
use polkadot_sdk::{
    pallet_session::SessionInterface, sp_core::OpaquePeerId as PeerId, sp_runtime::DispatchResult,
    *,
};

/// Registers hospitals' session keys with the session pallet, without the key deposit and
/// ownership proof of `Session::set_keys`: admission itself is the hospitals' decision.
pub struct SessionKeyRegistry;

impl KeyRegistry<AccountId, SessionKeys> for SessionKeyRegistry {
    fn register(who: &AccountId, keys: SessionKeys) -> DispatchResult {
        <pallet_session::Pallet<Runtime> as SessionInterface>::set_keys(who, keys)
    }

    fn unregister(who: &AccountId) -> DispatchResult {
        <pallet_session::Pallet<Runtime> as SessionInterface>::purge_keys(who)
    }
}

/// Makes hospitals' nodes the well-known nodes of node authorisation, which every node's
/// offchain worker turns into its set of authorised peers.
pub struct WellKnownNodes;

impl PeerRegistry<AccountId> for WellKnownNodes {
    fn authorize(owner: &AccountId, peer_id: &[u8]) -> DispatchResult {
        NodeAuthorization::add_well_known_node(
            RuntimeOrigin::root(),
            PeerId(Vec::from(peer_id)),
            owner.clone().into(),
        )
    }

    fn revoke(_owner: &AccountId, peer_id: &[u8]) -> DispatchResult {
        NodeAuthorization::remove_well_known_node(RuntimeOrigin::root(), PeerId(Vec::from(peer_id)))
    }
}
