//! Migrations of the results pallet's storage.

/// Version 1 to 2: each hospital's own share of a block's access log.
///
/// Version 1 kept one list per block whose entries named the serving hospital and the doctor;
/// version 2 keeps one list per block and hospital of what it served ([`crate::Access`]). Every
/// entry moves to its hospital's list, in order. Version 1's cap per block was MedChain's
/// `MaxAccessesPerHospital`, so no hospital's list is longer than its share.
pub mod v2 {
    use crate::{Access, AccessKind, Accesses, Config, Pallet};
    use alloc::{collections::BTreeMap, vec::Vec};
    use codec::{Decode, Encode};
    use medchain_types::RecordId;
    use polkadot_sdk::{
        frame_support::{
            migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
        },
        frame_system::{self, pallet_prelude::BlockNumberFor},
    };

    /// Version 1's storage.
    pub mod v1 {
        use super::*;

        /// An access as version 1 stored it.
        #[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
        pub struct Access<AccountId> {
            /// The record accessed.
            pub record: RecordId,
            /// The hospital whose node served it.
            pub hospital: AccountId,
            /// The doctor it was served to.
            pub doctor: AccountId,
            /// What was served.
            pub kind: AccessKind,
        }

        /// The accesses logged in each block.
        #[polkadot_sdk::frame_support::storage_alias]
        pub type Accesses<T: Config> = StorageMap<
            Pallet<T>,
            Twox64Concat,
            BlockNumberFor<T>,
            Vec<Access<<T as frame_system::Config>::AccountId>>,
        >;
    }

    /// Moves version 1's log into the hospitals' shares.
    pub struct Unchecked<T>(core::marker::PhantomData<T>);

    impl<T: Config> UncheckedOnRuntimeUpgrade for Unchecked<T> {
        fn on_runtime_upgrade() -> Weight {
            let old: Vec<_> = v1::Accesses::<T>::drain().collect();
            let mut lists = 0u64;
            for (block, entries) in &old {
                let mut shares = BTreeMap::<T::AccountId, Vec<Access<T>>>::new();
                for entry in entries {
                    shares
                        .entry(entry.hospital.clone())
                        .or_default()
                        .push(Access::ToDoctor {
                            record: entry.record,
                            doctor: entry.doctor.clone(),
                            kind: entry.kind,
                        });
                }
                for (hospital, share) in shares {
                    Accesses::<T>::insert(block, hospital, BoundedVec::truncate_from(share));
                    lists += 1;
                }
            }
            let blocks = old.len() as u64;
            T::DbWeight::get().reads_writes(blocks, blocks.saturating_add(lists))
        }

        #[cfg(feature = "try-runtime")]
        fn pre_upgrade() -> Result<Vec<u8>, polkadot_sdk::sp_runtime::TryRuntimeError> {
            let entries: u64 = v1::Accesses::<T>::iter_values()
                .map(|entries| entries.len() as u64)
                .sum();
            Ok(entries.encode())
        }

        #[cfg(feature = "try-runtime")]
        fn post_upgrade(state: Vec<u8>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            let before = u64::decode(&mut &state[..])
                .map_err(|_| "the entry count before the upgrade does not decode")?;
            let after: u64 = Accesses::<T>::iter_values()
                .map(|share| share.len() as u64)
                .sum();
            ensure!(
                before == after,
                "an access was lost moving the log into shares"
            );
            Ok(())
        }
    }

    /// The migration, run once: when the pallet's storage is at version 1.
    pub type MigrateToV2<T> =
        VersionedMigration<1, 2, Unchecked<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::mock::*;
        use polkadot_sdk::frame_support::traits::{
            GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
        };

        #[test]
        fn every_access_moves_to_its_hospitals_share_in_order() {
            new_test_ext().execute_with(|| {
                StorageVersion::new(1).put::<Pallet<Test>>();
                let old = |hospital, doctor, kind| v1::Access {
                    record: RECORD,
                    hospital,
                    doctor,
                    kind,
                };
                v1::Accesses::<Test>::insert(
                    7,
                    vec![
                        old(H2, D21, AccessKind::PreDecryption),
                        old(H1, D11, AccessKind::PayloadFetch),
                        old(H2, D22, AccessKind::PayloadFetch),
                    ],
                );
                MigrateToV2::<Test>::on_runtime_upgrade();
                let to = |doctor, kind| Access::<Test>::ToDoctor {
                    record: RECORD,
                    doctor,
                    kind,
                };
                assert_eq!(
                    Accesses::<Test>::get(7, H2).into_inner(),
                    [
                        to(D21, AccessKind::PreDecryption),
                        to(D22, AccessKind::PayloadFetch)
                    ]
                );
                assert_eq!(
                    Accesses::<Test>::get(7, H1).into_inner(),
                    [to(D11, AccessKind::PayloadFetch)]
                );
                assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
                // Run again, it does nothing: the storage is at version 2.
                MigrateToV2::<Test>::on_runtime_upgrade();
                assert_eq!(Accesses::<Test>::iter().count(), 2);
            });
        }
    }
}
