//! Benchmarks of the results pallet's calls, each in its worst case. The dispute is a real one:
//! the runtime verifies a genuine Chaum-Pedersen proof, its dominant cost.

use crate::*;
use codec::Encode;
use medchain_crypto::{dleq, elgamal, seeded_rng};
use medchain_types::{RecordId, ReportId};
use polkadot_sdk::{
    frame_benchmarking::v2::*,
    frame_support::pallet_prelude::*,
    frame_system::{Pallet as System, RawOrigin},
};
use traits::BenchmarkHelper;

/// Fixed, so that every run measures the same work; the runtime has no entropy anyway.
const SEED: [u8; 32] = *b"medchain/benchmarks/results/seed";

/// Hospital 0 holds a record of the patient `patient`, assigned to a doctor of hospital 1.
fn assigned_record<T: Config>(
    patient: &elgamal::SecretKey,
) -> Result<(T::AccountId, T::AccountId, RecordId), BenchmarkError> {
    let holder = T::BenchmarkHelper::hospital(0);
    let doctor = T::BenchmarkHelper::doctor(&T::BenchmarkHelper::hospital(1), 0);
    let record = T::BenchmarkHelper::record(&holder, patient.public_key().compress(), &doctor);
    Ok((holder, doctor, record))
}

#[benchmarks]
mod benchmarks {
    use super::*;

    /// With the hospital's share of the block's access log one entry short of full.
    #[benchmark]
    fn log_access(
        a: Linear<0, { T::MaxAccessesPerHospital::get() - 1 }>,
    ) -> Result<(), BenchmarkError> {
        // The harness moves a wiped chain from block 0 to 1 after this set-up: start at 1, so
        // that the earlier accesses are in the call's block.
        System::<T>::set_block_number(1u32.into());
        let hospital = T::BenchmarkHelper::hospital(0);
        let doctor = T::BenchmarkHelper::doctor(&hospital, 0);
        let patient = elgamal::SecretKey::generate(&mut seeded_rng(SEED));
        let record =
            T::BenchmarkHelper::record(&hospital, patient.public_key().compress(), &doctor);
        for _ in 0..a {
            Pallet::<T>::log_access(
                RawOrigin::Signed(hospital.clone()).into(),
                record,
                doctor.clone(),
                AccessKind::PayloadFetch,
            )?;
        }
        #[extrinsic_call]
        _(
            RawOrigin::Signed(hospital.clone()),
            record,
            doctor,
            AccessKind::PreDecryption,
        );
        assert_eq!(
            Accesses::<T>::get(System::<T>::block_number(), &hospital).len() as u32,
            a + 1
        );
        Ok(())
    }

    #[benchmark]
    fn submit_report() -> Result<(), BenchmarkError> {
        let mut rng = seeded_rng(SEED);
        let patient = elgamal::SecretKey::generate(&mut rng);
        let (_, doctor, record) = assigned_record::<T>(&patient)?;
        let sealed = elgamal::seal(&patient.public_key(), b"report key", &mut rng)
            .map_err(|_| BenchmarkError::Stop("sealing to a valid key"))?;
        #[extrinsic_call]
        _(
            RawOrigin::Signed(doctor),
            record,
            [5; 32],
            T::MaxReportSize::get(),
            sealed.ephemeral.compress(),
        );
        assert!(ReportOf::<T>::contains_key(record));
        Ok(())
    }

    #[benchmark]
    fn dispute() -> Result<(), BenchmarkError> {
        let mut rng = seeded_rng(SEED);
        let patient = elgamal::SecretKey::generate(&mut rng);
        let (holder, doctor, record) = assigned_record::<T>(&patient)?;
        let sealed = elgamal::seal(&patient.public_key(), b"report key", &mut rng)
            .map_err(|_| BenchmarkError::Stop("sealing to a valid key"))?;
        Pallet::<T>::submit_report(
            RawOrigin::Signed(doctor).into(),
            record,
            [5; 32],
            1,
            sealed.ephemeral.compress(),
        )?;
        let report = ReportId::new(NextReportId::<T>::get().get() - 1);
        let disclosure = dleq::disclose(&patient, &sealed, &mut rng);
        let proof: [u8; 64] = disclosure
            .proof
            .encode()
            .try_into()
            .map_err(|_| BenchmarkError::Stop("a proof is two scalars"))?;
        #[extrinsic_call]
        _(
            RawOrigin::Signed(holder),
            report,
            disclosure.shared.compress(),
            proof,
        );
        assert!(Disputes::<T>::contains_key(report));
        Ok(())
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
