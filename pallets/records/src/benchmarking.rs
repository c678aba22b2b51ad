//! Benchmarks of the records pallet's calls, each in its worst case.

use crate::*;
use alloc::{format, string::String, vec, vec::Vec};
use codec::Encode;
use medchain_crypto::{encoding::BoundedList, index::Index, policy::MAX_ROWS};
use medchain_types::RecordId;
use medchain_types::{CompressedG1, Epoch, KeyEpoch};
use polkadot_sdk::{
    frame_benchmarking::v2::*,
    frame_support::{pallet_prelude::*, traits::Hooks},
    frame_system::{pallet_prelude::BlockNumberFor, Pallet as System, RawOrigin},
};
use traits::{BenchmarkHelper, KeyAuthority};

/// An index of about `bytes` bytes: as many 16-byte tags as fit, up to the keyword limit.
fn index(bytes: u32) -> Vec<u8> {
    let tags = (bytes.saturating_sub(55) / 16).min(medchain_crypto::index::MAX_KEYWORDS as u32);
    let tags = BoundedList::new(vec![[7u8; 16]; tags as usize]).expect("within the keyword limit");
    Index {
        hospital: [1; 32],
        key_epoch: KeyEpoch::new(0),
        nonce: [2; 16],
        tags,
    }
    .encode()
}

/// A structurally valid capsule of about `bytes` bytes: an AND policy with as many rows as fit.
/// The runtime never decodes its points, so zero bytes of the right length measure the same work.
fn capsule(bytes: u32, epoch: Epoch) -> Vec<u8> {
    let rows = (bytes.saturating_sub(110) / 152).clamp(1, MAX_ROWS as u32) as usize;
    let policy: Vec<String> = (0..rows).map(|i| format!("a{i}")).collect();
    let mut encoded = (policy.join(" and "), epoch).encode();
    encoded.extend([0u8; 96]);
    codec::Compact(rows as u32).encode_to(&mut encoded);
    encoded.resize(encoded.len() + rows * 3 * 48, 0);
    encoded
}

/// A valid patient key, compressed (not the default point: that is the identity, no key).
fn patient_key() -> CompressedG1 {
    medchain_crypto::elgamal::SecretKey::derive(b"medchain/benchmark/patient")
        .public_key()
        .compress()
}

/// A registered hospital and a record of it, of the largest size.
fn hospital_with_record<T: Config>() -> Result<(T::AccountId, RecordId), BenchmarkError> {
    let hospital = T::BenchmarkHelper::hospital(0);
    Pallet::<T>::publish_record(
        RawOrigin::Signed(hospital.clone()).into(),
        index(T::MaxIndexLen::get()),
        capsule(T::MaxCapsuleLen::get(), T::Keys::current_epoch()),
        [9; 32],
        1,
        patient_key(),
    )?;
    let id = NextRecordId::<T>::get().get() - 1;
    Ok((hospital, RecordId::new(id)))
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn publish_record(
        i: Linear<64, { T::MaxIndexLen::get() }>,
        c: Linear<300, { T::MaxCapsuleLen::get() }>,
    ) -> Result<(), BenchmarkError> {
        let hospital = T::BenchmarkHelper::hospital(0);
        let capsule = capsule(c, T::Keys::current_epoch());
        #[extrinsic_call]
        _(
            RawOrigin::Signed(hospital),
            index(i),
            capsule,
            [9; 32],
            1,
            patient_key(),
        );
        assert_eq!(NextRecordId::<T>::get(), RecordId::new(1));
        Ok(())
    }

    #[benchmark]
    fn withdraw_record() -> Result<(), BenchmarkError> {
        let (hospital, id) = hospital_with_record::<T>()?;
        #[extrinsic_call]
        _(RawOrigin::Signed(hospital), id);
        assert!(Records::<T>::get(id).is_some_and(|r| r.withdrawn));
        Ok(())
    }

    /// With the closing block one consultation short of full, the others another hospital's:
    /// the hospital's share is counted over the whole list.
    #[benchmark]
    fn open_consultation() -> Result<(), BenchmarkError> {
        // The harness moves a wiped chain from block 0 to 1 after this set-up: start at 1, so
        // that the call's consultation closes in the block filled here.
        System::<T>::set_block_number(1u32.into());
        let (hospital, id) = hospital_with_record::<T>()?;
        let closes_at = System::<T>::block_number() + T::ConsultationWindow::get();
        let others: Vec<(RecordId, T::AccountId)> = (0..T::MaxClosingPerBlock::get() - 1)
            .map(|n| {
                (
                    RecordId::new(1_000 + u64::from(n)),
                    account("hospital", n, 1),
                )
            })
            .collect();
        ClosingAt::<T>::insert(
            closes_at,
            BoundedVec::try_from(others).map_err(|_| BenchmarkError::Weightless)?,
        );
        #[extrinsic_call]
        _(RawOrigin::Signed(hospital), id);
        assert!(Consultations::<T>::contains_key(id));
        Ok(())
    }

    /// The worst case: a claim from another hospital (so the authorisation is checked) on a
    /// consultation that already holds all but one of its claims.
    #[benchmark]
    fn submit_claim(c: Linear<0, { T::MaxClaims::get() - 1 }>) -> Result<(), BenchmarkError> {
        let (holder, id) = hospital_with_record::<T>()?;
        Pallet::<T>::open_consultation(RawOrigin::Signed(holder.clone()).into(), id)?;
        let claimant = T::BenchmarkHelper::hospital(1);
        T::BenchmarkHelper::authorize(&holder, &claimant);
        for n in 0..c {
            let doctor = T::BenchmarkHelper::doctor(&claimant, n + 1);
            Pallet::<T>::submit_claim(RawOrigin::Signed(claimant.clone()).into(), id, doctor, 1)?;
        }
        let doctor = T::BenchmarkHelper::doctor(&claimant, 0);
        #[extrinsic_call]
        _(RawOrigin::Signed(claimant), id, doctor, 3);
        assert_eq!(
            Consultations::<T>::get(id).map(|c| c.claims.len() as u32),
            Some(c + 1)
        );
        Ok(())
    }

    #[benchmark]
    fn on_initialize(n: Linear<0, { T::MaxClosingPerBlock::get() }>) -> Result<(), BenchmarkError> {
        let closes_at: BlockNumberFor<T> = System::<T>::block_number() + 1u32.into();
        let mut closing = BoundedVec::<(RecordId, T::AccountId), T::MaxClosingPerBlock>::new();
        for id in (0..u64::from(n)).map(RecordId::new) {
            let claims = BoundedVec::try_from(vec![Claim::<T> {
                doctor: account("doctor", 0, 0),
                hospital: account("hospital", 0, 0),
                matched: 1,
            }])
            .map_err(|_| BenchmarkError::Weightless)?;
            Consultations::<T>::insert(
                id,
                Consultation {
                    closes_at,
                    claims,
                    assigned: None,
                    closed: false,
                },
            );
            closing
                .try_push((id, account("hospital", 0, 0)))
                .map_err(|_| BenchmarkError::Weightless)?;
        }
        ClosingAt::<T>::insert(closes_at, closing);
        #[block]
        {
            Pallet::<T>::on_initialize(closes_at);
        }
        assert!((0..u64::from(n))
            .map(RecordId::new)
            .all(|id| Consultations::<T>::get(id).is_some_and(|c| c.closed)));
        Ok(())
    }

    impl_benchmark_test_suite!(
        Pallet,
        crate::mock::new_test_ext().unchecked(),
        crate::mock::Test
    );
}
