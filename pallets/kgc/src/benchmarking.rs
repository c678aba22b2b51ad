//! Benchmarks of the KGC pallet's calls, each in its worst case: a full revocation list in a
//! depth-20 tree, and an update key of the largest size the list can require.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use medchain_crypto::{
    abe::UpdateKeyNodes,
    encoding::BoundedList,
    tree::{Revocation, Tree},
};
use polkadot_sdk::{
    frame_benchmarking::v2::*,
    frame_support::{pallet_prelude::*, traits::EnsureOrigin},
    frame_system::RawOrigin,
};

const DEPTH: u8 = 20;

/// Puts a KGC and a depth-20 tree in storage; returns the KGC account.
fn kgc<T: Config>() -> T::AccountId {
    let kgc: T::AccountId = account("kgc", 0, 0);
    KgcAccount::<T>::put(&kgc);
    TreeDepth::<T>::put(DEPTH);
    kgc
}

/// `r` revocations of leaves spread over the tree, all in force from epoch 1.
fn revocations<T: Config>(r: u32) -> Vec<Revocation> {
    let stride = (1u64 << DEPTH) / u64::from(r.max(1));
    let list: Vec<RevocationEntry> = (0..u64::from(r))
        .map(|i| RevocationEntry {
            leaf: i * stride + 1,
            epoch: 1,
        })
        .collect();
    Revocations::<T>::put(BoundedVec::try_from(list.clone()).expect("r <= MaxRevocations"));
    list.into_iter().map(Revocation::from).collect()
}

/// An update key for epoch 1 with the right node set. The runtime never decodes its points, so
/// zero bytes of the right length measure the same work.
fn update_key(list: &[Revocation]) -> Vec<u8> {
    let tree = Tree::new(DEPTH).expect("valid depth");
    let nodes: Vec<u64> = tree
        .ku_nodes(list, 1)
        .expect("leaves in the tree")
        .into_iter()
        .collect();
    let count = nodes.len();
    let mut key = UpdateKeyNodes {
        epoch: 1,
        nodes: BoundedList::new(nodes).expect("bounded"),
    }
    .encode();
    codec::Compact(count as u32).encode_to(&mut key);
    key.resize(key.len() + count * 2 * 96, 0);
    key
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn set_kgc() -> Result<(), BenchmarkError> {
        let origin =
            T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
        let new: T::AccountId = account("new", 0, 0);
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, new.clone());
        assert_eq!(KgcAccount::<T>::get(), Some(new));
        Ok(())
    }

    #[benchmark]
    fn assign_leaf() -> Result<(), BenchmarkError> {
        let kgc = kgc::<T>();
        let doctor = T::BenchmarkHelper::doctor(0);
        #[extrinsic_call]
        _(RawOrigin::Signed(kgc), doctor.clone());
        assert!(LeafOf::<T>::contains_key(&doctor));
        Ok(())
    }

    #[benchmark]
    fn revoke(r: Linear<0, { T::MaxRevocations::get() - 1 }>) -> Result<(), BenchmarkError> {
        let kgc = kgc::<T>();
        revocations::<T>(r);
        let doctor: T::AccountId = account("doctor", 0, 0);
        LeafOf::<T>::insert(&doctor, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(kgc), doctor, 0);
        assert_eq!(Revocations::<T>::get().len() as u32, r + 1);
        Ok(())
    }

    #[benchmark]
    fn publish_update_key(
        r: Linear<0, { T::MaxRevocations::get() }>,
    ) -> Result<(), BenchmarkError> {
        let kgc = kgc::<T>();
        let list = revocations::<T>(r);
        let key: BoundedVec<u8, T::MaxUpdateKeyLen> = update_key(&list)
            .try_into()
            .map_err(|_| BenchmarkError::Weightless)?;
        #[extrinsic_call]
        _(RawOrigin::Signed(kgc), key, r);
        assert_eq!(CurrentEpoch::<T>::get(), 1);
        Ok(())
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
