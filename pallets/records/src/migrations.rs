//! Migrations of the records pallet's storage.

/// Version 1 to 2: each consultation closing in a block is listed with its record's holder, so
/// that a hospital's share of the block's closings can be counted.
///
/// The consultations already open keep their closing block, even where one hospital has more
/// than its share there: the share is checked when a consultation is opened.
pub mod v2 {
    use crate::{ClosingAt, Config, Pallet, Records};
    use alloc::vec::Vec;
    use medchain_types::RecordId;
    use polkadot_sdk::{
        frame_support::{
            migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
        },
        frame_system,
    };

    /// Adds each closing consultation's holder.
    pub struct Unchecked<T>(core::marker::PhantomData<T>);

    impl<T: Config> UncheckedOnRuntimeUpgrade for Unchecked<T> {
        fn on_runtime_upgrade() -> Weight {
            let (mut blocks, mut records) = (0u64, 0u64);
            ClosingAt::<T>::translate::<Vec<RecordId>, _>(|_, closing| {
                blocks += 1;
                records += closing.len() as u64;
                let listed: Vec<_> = closing
                    .into_iter()
                    .filter_map(|id| Records::<T>::get(id).map(|record| (id, record.hospital)))
                    .collect();
                // As long as version 1's list: at most `MaxClosingPerBlock`.
                Some(BoundedVec::truncate_from(listed))
            });
            T::DbWeight::get().reads_writes(blocks.saturating_add(records), blocks)
        }

        #[cfg(feature = "try-runtime")]
        fn pre_upgrade() -> Result<Vec<u8>, polkadot_sdk::sp_runtime::TryRuntimeError> {
            use codec::Encode;
            let closing: u64 = polkadot_sdk::frame_support::storage::migration::storage_key_iter::<
                frame_system::pallet_prelude::BlockNumberFor<T>,
                Vec<RecordId>,
                Twox64Concat,
            >(b"Records", b"ClosingAt")
            .map(|(_, list)| list.len() as u64)
            .sum();
            Ok(closing.encode())
        }

        #[cfg(feature = "try-runtime")]
        fn post_upgrade(state: Vec<u8>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            use codec::Decode;
            let before = u64::decode(&mut &state[..])
                .map_err(|_| "the closing count before the upgrade does not decode")?;
            let after: u64 = ClosingAt::<T>::iter_values()
                .map(|list| list.len() as u64)
                .sum();
            ensure!(before == after, "a closing consultation was lost");
            Ok(())
        }
    }

    /// The migration, run once: when the pallet's storage is at version 1.
    pub type MigrateToV2<T> =
        VersionedMigration<1, 2, Unchecked<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::{mock::*, tests::publish};
        use codec::Encode;
        use polkadot_sdk::frame_support::{
            assert_ok,
            storage::unhashed,
            traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
        };

        #[test]
        fn each_closing_consultation_gets_its_holder() {
            new_test_ext().execute_with(|| {
                let (own, other) = (publish(H1), publish(H2));
                for (hospital, record) in [(H1, own), (H2, other)] {
                    assert_ok!(Pallet::<Test>::open_consultation(
                        RuntimeOrigin::signed(hospital),
                        record
                    ));
                }
                let closes_at = 1 + WINDOW;
                // As version 1 kept it: the records alone.
                StorageVersion::new(1).put::<Pallet<Test>>();
                let key = ClosingAt::<Test>::hashed_key_for(closes_at);
                unhashed::put_raw(&key, &vec![own, other].encode());
                MigrateToV2::<Test>::on_runtime_upgrade();
                assert_eq!(
                    ClosingAt::<Test>::get(closes_at).into_inner(),
                    [(own, H1), (other, H2)]
                );
                assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
            });
        }
    }
}
