//! Benchmarks of the hospitals pallet's calls, each in its worst case.

use crate::{
    traits::{DoctorKeys, KeyRegistry, PeerRegistry},
    *,
};
use alloc::{vec, vec::Vec};
use codec::Decode;
use medchain_types::CompressedG1;
use polkadot_sdk::{
    frame_benchmarking::v2::*,
    frame_support::{
        dispatch::{DispatchInfo, PostDispatchInfo},
        traits::{EnsureOrigin, Get},
    },
    frame_system::{self, RawOrigin},
    sp_runtime::traits::{
        AsSystemOriginSigner, AsTransactionAuthorizedOrigin, DispatchTransaction, Dispatchable,
        TrailingZeroInput,
    },
};

/// A peer id no genesis hospital uses.
fn peer_id(seed: u32) -> Vec<u8> {
    let mut id = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
    id.extend(seed.to_le_bytes().repeat(8));
    id
}

/// A valid encryption key: the benchmarks measure its check.
fn encryption_key(seed: u32) -> CompressedG1 {
    medchain_crypto::elgamal::SecretKey::derive(&seed.to_le_bytes())
        .public_key()
        .compress()
}

/// Registers a hospital directly in storage (what admission does, without the registries).
/// Public so that the runtime can register the hospitals other pallets' benchmarks need.
pub fn hospital<T: Config>(name: &'static str, seed: u32) -> T::AccountId {
    let who: T::AccountId = account(name, seed, 0);
    let info = HospitalInfo::<T>::new(
        vec![b'h'; T::MaxNameLen::get() as usize],
        peer_id(seed),
        encryption_key(seed),
    )
    .expect("benchmark fields fit the bounds");
    PeerOwners::<T>::insert(&info.peer_id, &who);
    Hospitals::<T>::insert(&who, info);
    who
}

#[benchmarks(where
    T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo> + From<Call<T>>,
    <T::RuntimeCall as Dispatchable>::RuntimeOrigin:
        AsSystemOriginSigner<T::AccountId> + AsTransactionAuthorizedOrigin + Clone,
)]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn admit_hospital() -> Result<(), BenchmarkError> {
        let origin =
            T::AdmissionOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
        let who: T::AccountId = account("new", 0, 0);
        let name = vec![b'n'; T::MaxNameLen::get() as usize];
        let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes())
            .map_err(|_| BenchmarkError::Weightless)?;

        #[extrinsic_call]
        _(
            origin as T::RuntimeOrigin,
            who.clone(),
            name,
            peer_id(u32::MAX),
            encryption_key(u32::MAX),
            keys,
        );

        assert!(Hospitals::<T>::contains_key(&who));
        Ok(())
    }

    #[benchmark]
    fn remove_hospital(
        h: Linear<2, { T::MaxHospitals::get() }>,
        d: Linear<0, { T::MaxDoctorsPerHospital::get() }>,
    ) -> Result<(), BenchmarkError> {
        let origin =
            T::AdmissionOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
        // Exactly `h` hospitals, whatever the genesis registered.
        let _ = Hospitals::<T>::clear(u32::MAX, None);
        let _ = PeerOwners::<T>::clear(u32::MAX, None);
        let gone = hospital::<T>("gone", 0);
        // As admission left it: its session keys and node registered, for removal to undo.
        let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes())
            .map_err(|_| BenchmarkError::Weightless)?;
        T::KeyRegistry::register(&gone, keys)?;
        T::PeerRegistry::authorize(&gone, &peer_id(0))?;
        for i in 0..d {
            let doctor: T::AccountId = account("doctor", i, 0);
            Pallet::<T>::add_doctor(RawOrigin::Signed(gone.clone()).into(), doctor)?;
        }
        // Worst case: every other hospital authorises the removed one and is authorised by it.
        for i in 1..h {
            let other = hospital::<T>("other", i);
            Pallet::<T>::authorize(
                RawOrigin::Signed(gone.clone()).into(),
                other.clone(),
                1_000u32.into(),
                vec![],
            )?;
            Pallet::<T>::authorize(
                RawOrigin::Signed(other).into(),
                gone.clone(),
                1_000u32.into(),
                vec![],
            )?;
        }

        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, gone.clone());

        assert!(!Hospitals::<T>::contains_key(&gone));
        assert_eq!(Authorizations::<T>::iter().count(), 0);
        Ok(())
    }

    #[benchmark]
    fn authorize(k: Linear<0, { T::MaxSearchKeyLen::get() }>) {
        let from = hospital::<T>("from", 1);
        let to = hospital::<T>("to", 2);

        #[extrinsic_call]
        _(
            RawOrigin::Signed(from.clone()),
            to.clone(),
            1_000u32.into(),
            vec![3; k as usize],
        );

        assert!(Authorizations::<T>::contains_key(&to, &from));
    }

    #[benchmark]
    fn withdraw() -> Result<(), BenchmarkError> {
        let from = hospital::<T>("from", 1);
        let to = hospital::<T>("to", 2);
        Pallet::<T>::authorize(
            RawOrigin::Signed(from.clone()).into(),
            to.clone(),
            1_000u32.into(),
            vec![],
        )?;

        #[extrinsic_call]
        _(RawOrigin::Signed(from.clone()), to.clone());

        assert!(!Authorizations::<T>::contains_key(&to, &from));
        Ok(())
    }

    #[benchmark]
    fn add_doctor() -> Result<(), BenchmarkError> {
        let hospital = hospital::<T>("hospital", 1);
        // Worst case: the doctor list is one short of full.
        for i in 1..T::MaxDoctorsPerHospital::get() {
            Pallet::<T>::add_doctor(
                RawOrigin::Signed(hospital.clone()).into(),
                account("doctor", i, 0),
            )?;
        }
        let doctor: T::AccountId = account("doctor", 0, 0);

        #[extrinsic_call]
        _(RawOrigin::Signed(hospital.clone()), doctor.clone());

        assert!(Pallet::<T>::is_doctor_of(&doctor, &hospital));
        Ok(())
    }

    #[benchmark]
    fn remove_doctor() -> Result<(), BenchmarkError> {
        let hospital = hospital::<T>("hospital", 1);
        for i in 0..T::MaxDoctorsPerHospital::get() {
            Pallet::<T>::add_doctor(
                RawOrigin::Signed(hospital.clone()).into(),
                account("doctor", i, 0),
            )?;
        }
        // Worst case: the doctor is the last one in the list, and was issued a key that the
        // KGC revoked, so that the key check reads the longest revocation list.
        let doctor: T::AccountId = account("doctor", T::MaxDoctorsPerHospital::get() - 1, 0);
        T::DoctorKeys::revoked_for_benchmark(&doctor);

        #[extrinsic_call]
        _(RawOrigin::Signed(hospital.clone()), doctor.clone());

        assert!(!Pallet::<T>::is_doctor_of(&doctor, &hospital));
        Ok(())
    }

    /// The transaction extension every signed transaction goes through, for a doctor: the
    /// membership check reads both registries, then the nonce is checked and bumped.
    #[benchmark]
    fn check_member_nonce() -> Result<(), BenchmarkError> {
        let hospital = hospital::<T>("hospital", 1);
        let doctor: T::AccountId = account("doctor", 0, 0);
        Pallet::<T>::add_doctor(RawOrigin::Signed(hospital).into(), doctor.clone())?;
        let nonce = frame_system::Pallet::<T>::account_nonce(&doctor);
        // One of the pallet's own calls, which every runtime's call filter lets through.
        let call: T::RuntimeCall = Call::<T>::remove_doctor {
            doctor: doctor.clone(),
        }
        .into();
        let info = DispatchInfo::default();

        #[block]
        {
            CheckMemberNonce::<T>::from(nonce)
                .test_run(
                    RawOrigin::Signed(doctor.clone()).into(),
                    &call,
                    &info,
                    0,
                    0,
                    |_| Ok(().into()),
                )
                .map_err(|_| BenchmarkError::Stop("a member's transaction was refused"))?
                .map_err(|_| BenchmarkError::Stop("the call failed"))?;
        }

        assert!(frame_system::Pallet::<T>::account_nonce(&doctor) > nonce);
        Ok(())
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
