//! Which calls the chain dispatches: MedChain's own, and what running the chain needs.
//!
//! Without a filter any member could call everything the runtime's pallets offer, for free:
//! `system.remark` fills blocks, `utility.as_derivative` runs its inner call as an account that
//! is no member, node authorisation's signed calls claim and connect peers the hospitals'
//! registry knows nothing of. Root (sudo, on development chains) passes, as FRAME's root origin
//! always does; every other origin, the council's included, is held to [`MemberCalls`], and the
//! members-only extension refuses a transaction whose call it excludes before it takes room in
//! the pool or a block.

use crate::RuntimeCall;
use polkadot_sdk::{frame_support::traits::Contains, pallet_utility};

/// The calls the chain dispatches for anyone but root.
pub struct MemberCalls;

impl Contains<RuntimeCall> for MemberCalls {
    fn contains(call: &RuntimeCall) -> bool {
        match call {
            // MedChain's own rules, and the council that admits and removes hospitals.
            RuntimeCall::Hospitals(_)
            | RuntimeCall::Kgc(_)
            | RuntimeCall::Records(_)
            | RuntimeCall::Results(_)
            | RuntimeCall::Council(_) => true,
            // What making and finalising blocks needs: the timestamp inherent, validators'
            // session keys, GRANDPA's equivocation reports.
            RuntimeCall::Timestamp(_) | RuntimeCall::Session(_) | RuntimeCall::Grandpa(_) => true,
            // Checks that its caller holds the sudo key; configured on development chains only.
            RuntimeCall::Sudo(_) => true,
            // A batch is allowed when every call in it is (the nesting is bounded by the
            // extrinsic's decoding depth).
            RuntimeCall::Utility(
                pallet_utility::Call::batch { calls }
                | pallet_utility::Call::batch_all { calls }
                | pallet_utility::Call::force_batch { calls },
            ) => calls.iter().all(Self::contains),
            // `system` (remarks), `balances` (there is no currency), node authorisation (peers
            // come from the hospitals' registry) and the utility calls that change their inner
            // call's origin or weight.
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{pallet_hospitals, Runtime, RuntimeOrigin};
    use polkadot_sdk::{
        frame_system, pallet_node_authorization, sp_core::OpaquePeerId, sp_io::TestExternalities,
        sp_keyring::Sr25519Keyring, sp_runtime::traits::Dispatchable,
    };

    fn remark() -> RuntimeCall {
        RuntimeCall::System(frame_system::Call::remark {
            remark: vec![0; 1024],
        })
    }

    fn medchain_call() -> RuntimeCall {
        RuntimeCall::Hospitals(pallet_hospitals::Call::withdraw {
            to: Sr25519Keyring::Bob.to_account_id(),
        })
    }

    fn batch(calls: Vec<RuntimeCall>) -> RuntimeCall {
        RuntimeCall::Utility(pallet_utility::Call::batch { calls })
    }

    #[test]
    fn medchain_calls_pass_alone_and_batched() {
        assert!(MemberCalls::contains(&medchain_call()));
        assert!(MemberCalls::contains(&batch(vec![
            medchain_call(),
            medchain_call()
        ])));
    }

    #[test]
    fn a_member_cannot_smuggle_an_excluded_call_in_any_wrapping() {
        let derivative = RuntimeCall::Utility(pallet_utility::Call::as_derivative {
            index: 0,
            call: Box::new(medchain_call()),
        });
        let claim_peer =
            RuntimeCall::NodeAuthorization(pallet_node_authorization::Call::claim_node {
                node: OpaquePeerId(vec![1; 38]),
            });
        for excluded in [
            remark(),
            derivative.clone(),
            claim_peer,
            batch(vec![medchain_call(), remark()]),
            batch(vec![batch(vec![remark()])]),
            batch(vec![derivative]),
        ] {
            assert!(!MemberCalls::contains(&excluded), "{excluded:?}");
        }
    }

    #[test]
    fn dispatch_refuses_an_excluded_call_from_a_member_but_not_from_root() {
        TestExternalities::default().execute_with(|| {
            let hospital = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
            let refused = remark().dispatch(hospital).map_err(|e| e.error);
            assert_eq!(
                refused,
                Err(frame_system::Error::<Runtime>::CallFiltered.into())
            );
            assert!(remark().dispatch(RuntimeOrigin::root()).is_ok());
        });
    }
}
