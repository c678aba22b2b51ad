//! Benchmarks of the KGC pallet's calls, each in its worst case: a full revocation list in a
//! depth-20 tree, and an update key of the largest size the list can require.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use medchain_crypto::{abe::UpdateKeyNodes, elgamal, encoding::BoundedList, tree::Tree};
use medchain_types::{CompressedG1, Epoch, LeafIndex, NodeId, Revocation};
use polkadot_sdk::{
    frame_benchmarking::v2::*,
    frame_support::{pallet_prelude::*, traits::EnsureOrigin},
    frame_system::RawOrigin,
};

const DEPTH: u8 = 20;

/// The epoch the benchmarks start in: revocations already listed are dated at it.
const EPOCH: Epoch = Epoch::new(1);

/// The epoch after [`EPOCH`], which the benchmarked calls advance to.
const NEXT_EPOCH: Epoch = Epoch::new(2);

/// Puts a KGC and a depth-20 tree in storage at epoch [`EPOCH`]; returns the KGC account.
fn kgc<T: Config>() -> T::AccountId {
    let kgc: T::AccountId = account("kgc", 0, 0);
    KgcAccount::<T>::put(&kgc);
    TreeDepth::<T>::put(DEPTH);
    CurrentEpoch::<T>::put(EPOCH);
    kgc
}

/// `r` revocations of leaves spread over the tree (never leaf 0), all in force from [`EPOCH`].
fn revocations<T: Config>(r: u32) -> Vec<Revocation> {
    let stride = (1u64 << DEPTH) / u64::from(r.max(1));
    let list: Vec<Revocation> = (0..u64::from(r))
        .map(|i| Revocation {
            leaf: LeafIndex::new(i * stride + 1),
            epoch: EPOCH,
        })
        .collect();
    Revocations::<T>::put(BoundedVec::try_from(list.clone()).expect("r <= MaxRevocations"));
    list
}

/// An update key for `epoch` with the right node set for `list`. The runtime never decodes its
/// points, so zero bytes of the right length measure the same work.
fn update_key<T: Config>(
    list: &[Revocation],
    epoch: Epoch,
) -> Result<BoundedVec<u8, T::MaxUpdateKeyLen>, BenchmarkError> {
    let tree = Tree::new(DEPTH).expect("valid depth");
    let nodes: Vec<NodeId> = tree
        .ku_nodes(list, epoch)
        .expect("leaves in the tree")
        .into_iter()
        .collect();
    let count = nodes.len();
    let mut key = UpdateKeyNodes {
        epoch,
        nodes: BoundedList::new(nodes).expect("bounded"),
    }
    .encode();
    codec::Compact(count as u32).encode_to(&mut key);
    key.resize(key.len() + count * 2 * 96, 0);
    key.try_into().map_err(|_| BenchmarkError::Weightless)
}

/// A valid encryption key: the benchmarks measure its check.
fn encryption_key(seed: u32) -> CompressedG1 {
    elgamal::SecretKey::derive(&seed.to_le_bytes())
        .public_key()
        .compress()
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
    fn publish_update_key(
        r: Linear<0, { T::MaxRevocations::get() }>,
    ) -> Result<(), BenchmarkError> {
        let kgc = kgc::<T>();
        let list = revocations::<T>(r);
        let key = update_key::<T>(&list, NEXT_EPOCH)?;
        #[extrinsic_call]
        _(RawOrigin::Signed(kgc), key, r);
        assert_eq!(CurrentEpoch::<T>::get(), NEXT_EPOCH);
        Ok(())
    }

    #[benchmark]
    fn register_encryption_key() -> Result<(), BenchmarkError> {
        let doctor = T::BenchmarkHelper::doctor(0);
        let key = encryption_key(0);
        #[extrinsic_call]
        _(RawOrigin::Signed(doctor.clone()), key);
        assert_eq!(EncryptionKeys::<T>::get(&doctor), Some(key));
        Ok(())
    }

    #[benchmark]
    fn issue_key() -> Result<(), BenchmarkError> {
        let kgc = kgc::<T>();
        let doctor = T::BenchmarkHelper::doctor(0);
        let key = encryption_key(0);
        EncryptionKeys::<T>::insert(&doctor, key);
        let leaf = NextLeaf::<T>::get();
        #[extrinsic_call]
        _(RawOrigin::Signed(kgc), doctor.clone(), leaf, key, [7; 32]);
        assert_eq!(LeafOf::<T>::get(&doctor), Some(leaf));
        Ok(())
    }

    #[benchmark]
    fn revoke(r: Linear<0, { T::MaxRevocations::get() - 1 }>) -> Result<(), BenchmarkError> {
        let kgc = kgc::<T>();
        let mut list = revocations::<T>(r);
        let doctor: T::AccountId = account("doctor", 0, 0);
        LeafOf::<T>::insert(&doctor, LeafIndex::new(0));
        list.push(Revocation {
            leaf: LeafIndex::new(0),
            epoch: NEXT_EPOCH,
        });
        let key = update_key::<T>(&list, NEXT_EPOCH)?;
        #[extrinsic_call]
        _(RawOrigin::Signed(kgc), doctor, key, r);
        assert_eq!(Revocations::<T>::get().len() as u32, r + 1);
        assert_eq!(CurrentEpoch::<T>::get(), NEXT_EPOCH);
        Ok(())
    }

    impl_benchmark_test_suite!(
        Pallet,
        crate::mock::new_test_ext().unchecked(),
        crate::mock::Test
    );
}
