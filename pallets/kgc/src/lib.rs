//! # KGC pallet
//!
//! The on-chain side of MedChain's key generation centre (`CRYPTO.md` section 1). It holds:
//!
//! - the **KGC account** (set at genesis, changeable by [`Config::AdminOrigin`]) and the public
//!   parameters `pp` with the revocation tree's depth (genesis);
//! - the **current epoch**. It advances when the KGC publishes the update key of the next epoch,
//!   in the same call, so the current epoch always has an update key and no hospital is ever
//!   left unable to derive pre-decryption keys;
//! - each doctor's **tree leaf**, handed out in order (a named error when the tree is full);
//! - the **revocation list** `(leaf, epoch)`, with revocation effective from the current or a
//!   later epoch;
//! - the **update key of every epoch** (older records need older keys). An update key is accepted
//!   only when its node set equals `KUNodes(rl, T)` computed here from the on-chain list with the
//!   same code the KGC uses ([`medchain_crypto::tree`]). The runtime reads the node ids at the
//!   front of the encoded key and never decodes group elements: the hospitals validate those
//!   when they use them.
//!
//! Revoking at the current epoch makes its published update key stale; the KGC republishes the
//! current epoch's key, and until then [`Pallet::update_key_is_current`] says so.

#![cfg_attr(not(feature = "std"), no_std)]
// FRAME's `CloneNoBound` and event derives call `.clone()` on `Copy` fields with the field's span,
// which the lint then blames on this crate.
#![allow(clippy::clone_on_copy)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

/// Which accounts are doctors: only they are given tree leaves.
pub trait DoctorDirectory<AccountId> {
    /// Whether `who` is a doctor of some registered hospital.
    fn is_doctor(who: &AccountId) -> bool;
}

/// Registers the accounts the benchmarks use, so that they run each call's worst case.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// A doctor of some registered hospital, holding no leaf yet, a distinct one for each `n`.
    fn doctor(n: u32) -> AccountId;
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use codec::Decode;
    use medchain_crypto::{
        abe::{PublicParams, UpdateKeyNodes},
        tree::{LeafAllocator, LeafIndex, Revocation, Tree},
    };
    use polkadot_sdk::{
        frame_support::pallet_prelude::*,
        frame_system::{self, pallet_prelude::*},
        sp_io::hashing::sha2_256,
    };

    /// One entry of the on-chain revocation list: `leaf` is revoked from `epoch` on.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
    pub struct RevocationEntry {
        /// The revoked doctor's leaf.
        pub leaf: LeafIndex,
        /// First epoch in which the leaf is revoked.
        pub epoch: u64,
    }

    impl From<RevocationEntry> for Revocation {
        fn from(entry: RevocationEntry) -> Self {
            Revocation {
                leaf: entry.leaf,
                epoch: entry.epoch,
            }
        }
    }

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Who may replace the KGC account: a majority of the hospitals (root on a dev chain).
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// Which accounts are doctors.
        type Doctors: DoctorDirectory<Self::AccountId>;

        /// Longest encoded public parameters, in bytes.
        #[pallet::constant]
        type MaxParamsLen: Get<u32>;

        /// Most entries in the revocation list.
        #[pallet::constant]
        type MaxRevocations: Get<u32>;

        /// Longest encoded update key, in bytes (192 per node plus the node list).
        #[pallet::constant]
        type MaxUpdateKeyLen: Get<u32>;

        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;

        /// Registers the accounts the benchmarks use.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
    }

    /// The KGC's account: the only one that assigns leaves, revokes and publishes update keys.
    #[pallet::storage]
    pub type KgcAccount<T: Config> = StorageValue<_, T::AccountId>;

    /// `pp`, SCALE-encoded ([`PublicParams`]).
    #[pallet::storage]
    pub type Params<T: Config> = StorageValue<_, BoundedVec<u8, T::MaxParamsLen>, ValueQuery>;

    /// Depth of the revocation tree (from `pp`).
    #[pallet::storage]
    pub type TreeDepth<T: Config> = StorageValue<_, u8, ValueQuery>;

    /// The current epoch `T`: capsules must be made under it.
    #[pallet::storage]
    pub type CurrentEpoch<T: Config> = StorageValue<_, u64, ValueQuery>;

    /// The next free leaf.
    #[pallet::storage]
    pub type NextLeaf<T: Config> = StorageValue<_, LeafIndex, ValueQuery>;

    /// Each doctor's leaf.
    #[pallet::storage]
    pub type LeafOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, LeafIndex>;

    /// The revocation list `rl`.
    #[pallet::storage]
    pub type Revocations<T: Config> =
        StorageValue<_, BoundedVec<RevocationEntry, T::MaxRevocations>, ValueQuery>;

    /// The update key of each epoch, SCALE-encoded ([`medchain_crypto::abe::UpdateKey`]).
    #[pallet::storage]
    pub type UpdateKeys<T: Config> =
        StorageMap<_, Twox64Concat, u64, BoundedVec<u8, T::MaxUpdateKeyLen>>;

    /// Set when a revocation dated at the current epoch made its published update key stale.
    #[pallet::storage]
    pub type StaleUpdateKey<T: Config> = StorageValue<_, bool, ValueQuery>;

    #[pallet::genesis_config]
    #[derive(polkadot_sdk::frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The KGC's account.
        pub kgc: Option<T::AccountId>,
        /// `pp`, SCALE-encoded; empty for a chain whose KGC has not run Setup yet.
        pub params: Vec<u8>,
        /// The update key of epoch 0, SCALE-encoded (nobody is revoked yet: the root only).
        pub initial_update_key: Vec<u8>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            if let Some(kgc) = &self.kgc {
                Pallet::<T>::set_account(kgc);
            }
            if self.params.is_empty() {
                return;
            }
            let pp = PublicParams::decode(&mut &self.params[..])
                .expect("genesis public parameters decode");
            Tree::new(pp.depth).expect("genesis tree depth is valid");
            Params::<T>::put(
                BoundedVec::try_from(self.params.clone()).expect("genesis params fit MaxParamsLen"),
            );
            TreeDepth::<T>::put(pp.depth);
            let key = BoundedVec::try_from(self.initial_update_key.clone())
                .expect("genesis update key fits MaxUpdateKeyLen");
            Pallet::<T>::check_update_key(&key, 0).expect("genesis update key is for epoch 0");
            UpdateKeys::<T>::insert(0, key);
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// The KGC account changed.
        KgcChanged { kgc: T::AccountId },
        /// `doctor` holds tree leaf `leaf`.
        LeafAssigned {
            doctor: T::AccountId,
            leaf: LeafIndex,
        },
        /// `doctor` (on `leaf`) is revoked from `epoch` on.
        DoctorRevoked {
            doctor: T::AccountId,
            leaf: LeafIndex,
            epoch: u64,
        },
        /// The update key of `epoch` is on-chain: `nodes` tree nodes, SHA-256 `key_hash`.
        UpdateKeyPublished {
            epoch: u64,
            nodes: u32,
            key_hash: [u8; 32],
        },
        /// `epoch` is now the current epoch.
        EpochAdvanced { epoch: u64 },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Only the KGC account may do this.
        NotKgc,
        /// The KGC has not published public parameters.
        NoParams,
        /// The account is not a doctor of any registered hospital.
        NotADoctor,
        /// The doctor already holds a leaf.
        AlreadyAssigned,
        /// Every leaf of the tree is assigned.
        TreeFull,
        /// The doctor holds no leaf.
        NoLeaf,
        /// The doctor's leaf is already on the revocation list.
        AlreadyRevoked,
        /// Revocation must take effect at the current epoch or a later one.
        EpochInThePast,
        /// The revocation list is full.
        TooManyRevocations,
        /// The update key does not decode.
        UndecodableUpdateKey,
        /// An update key must be for the current epoch (republishing) or the next (advancing).
        WrongEpoch,
        /// The update key's node set is not `KUNodes(rl, T)` of the on-chain revocation list.
        NodeSetMismatch,
        /// `revocations` is below the length of the on-chain revocation list.
        RevocationWitnessTooLow,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Replaces the KGC account.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::set_kgc())]
        pub fn set_kgc(origin: OriginFor<T>, kgc: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::set_account(&kgc);
            Self::deposit_event(Event::KgcChanged { kgc });
            Ok(())
        }

        /// Gives `doctor` the next free leaf (the KGC then issues its attribute key off-chain).
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::assign_leaf())]
        pub fn assign_leaf(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
            Self::ensure_kgc(origin)?;
            let tree = Self::tree()?;
            ensure!(T::Doctors::is_doctor(&doctor), Error::<T>::NotADoctor);
            ensure!(
                !LeafOf::<T>::contains_key(&doctor),
                Error::<T>::AlreadyAssigned
            );
            let mut leaves = LeafAllocator::starting_at(NextLeaf::<T>::get());
            let leaf = leaves.assign(&tree).map_err(|_| Error::<T>::TreeFull)?;
            NextLeaf::<T>::put(leaf.saturating_add(1));
            LeafOf::<T>::insert(&doctor, leaf);
            Self::deposit_event(Event::LeafAssigned { doctor, leaf });
            Ok(())
        }

        /// Revokes `doctor` from `epoch` on (`epoch` >= the current epoch).
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::revoke(T::MaxRevocations::get()))]
        pub fn revoke(origin: OriginFor<T>, doctor: T::AccountId, epoch: u64) -> DispatchResult {
            Self::ensure_kgc(origin)?;
            let leaf = LeafOf::<T>::get(&doctor).ok_or(Error::<T>::NoLeaf)?;
            let current = CurrentEpoch::<T>::get();
            ensure!(epoch >= current, Error::<T>::EpochInThePast);
            Revocations::<T>::try_mutate(|list| {
                ensure!(
                    list.iter().all(|r| r.leaf != leaf),
                    Error::<T>::AlreadyRevoked
                );
                list.try_push(RevocationEntry { leaf, epoch })
                    .map_err(|_| Error::<T>::TooManyRevocations)
            })?;
            if epoch == current {
                StaleUpdateKey::<T>::put(true);
            }
            Self::deposit_event(Event::DoctorRevoked {
                doctor,
                leaf,
                epoch,
            });
            Ok(())
        }

        /// Publishes the update key of the current epoch (after a revocation dated now) or of
        /// the next one (which then becomes current). Its node set must be `KUNodes(rl, T)`.
        #[pallet::call_index(3)]
        ///
        /// `revocations` is the length of the on-chain revocation list, which the call's weight
        /// grows with (`KUNodes` is computed over it); a smaller number is refused.
        #[pallet::weight(T::WeightInfo::publish_update_key(*revocations))]
        pub fn publish_update_key(
            origin: OriginFor<T>,
            key: BoundedVec<u8, T::MaxUpdateKeyLen>,
            revocations: u32,
        ) -> DispatchResult {
            Self::ensure_kgc(origin)?;
            ensure!(
                Revocations::<T>::decode_len().unwrap_or_default() as u32 <= revocations,
                Error::<T>::RevocationWitnessTooLow
            );
            let current = CurrentEpoch::<T>::get();
            let header = Self::check_update_key(&key, current)?;
            let key_hash = sha2_256(&key);
            let nodes = header.nodes.len() as u32;
            UpdateKeys::<T>::insert(header.epoch, key);
            StaleUpdateKey::<T>::put(false);
            Self::deposit_event(Event::UpdateKeyPublished {
                epoch: header.epoch,
                nodes,
                key_hash,
            });
            if header.epoch != current {
                CurrentEpoch::<T>::put(header.epoch);
                Self::deposit_event(Event::EpochAdvanced {
                    epoch: header.epoch,
                });
            }
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Makes `kgc` the KGC. It pays no fees and holds no balance, so being the KGC is what
        /// keeps its account (and nonce) alive; the provider is never given back, so that a
        /// former KGC's old transactions cannot be replayed.
        fn set_account(kgc: &T::AccountId) {
            KgcAccount::<T>::put(kgc);
            if !frame_system::Pallet::<T>::account_exists(kgc) {
                frame_system::Pallet::<T>::inc_providers(kgc);
            }
        }

        fn ensure_kgc(origin: OriginFor<T>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            ensure!(
                KgcAccount::<T>::get().as_ref() == Some(&who),
                Error::<T>::NotKgc
            );
            Ok(())
        }

        fn tree() -> Result<Tree, DispatchError> {
            Tree::new(TreeDepth::<T>::get()).map_err(|_| Error::<T>::NoParams.into())
        }

        /// Checks an encoded update key against the chain: epoch `current` or `current + 1`,
        /// node set `KUNodes(rl, T)`, and one `(U0, U1)` pair per node (by length; the points
        /// themselves are validated by the hospitals that decode them).
        pub(crate) fn check_update_key(
            key: &[u8],
            current: u64,
        ) -> Result<UpdateKeyNodes, DispatchError> {
            let tree = Self::tree()?;
            let mut input = key;
            let header =
                UpdateKeyNodes::decode(&mut input).map_err(|_| Error::<T>::UndecodableUpdateKey)?;
            let pairs = codec::Compact::<u32>::decode(&mut input)
                .map_err(|_| Error::<T>::UndecodableUpdateKey)?;
            ensure!(
                pairs.0 as usize == header.nodes.len()
                    && input.len() == header.nodes.len().saturating_mul(2 * 96),
                Error::<T>::UndecodableUpdateKey
            );
            ensure!(
                header.epoch == current || Some(header.epoch) == current.checked_add(1),
                Error::<T>::WrongEpoch
            );
            let expected = tree
                .ku_nodes(
                    Revocations::<T>::get().into_iter().map(Revocation::from),
                    header.epoch,
                )
                .map_err(|_| Error::<T>::NodeSetMismatch)?;
            ensure!(
                expected.len() == header.nodes.len()
                    && expected
                        .iter()
                        .zip(header.nodes.iter())
                        .all(|(a, b)| a == b),
                Error::<T>::NodeSetMismatch
            );
            Ok(header)
        }

        /// Whether the current epoch's published update key reflects every revocation in force.
        pub fn update_key_is_current() -> bool {
            !StaleUpdateKey::<T>::get()
        }

        /// A doctor's leaf and the epoch from which it is revoked, if it is.
        pub fn doctor_status(doctor: &T::AccountId) -> Option<(LeafIndex, Option<u64>)> {
            let leaf = LeafOf::<T>::get(doctor)?;
            let revoked = Revocations::<T>::get()
                .iter()
                .find(|r| r.leaf == leaf)
                .map(|r| r.epoch);
            Some((leaf, revoked))
        }

        /// Whether `doctor` may decrypt capsules of `epoch`: holds a leaf not revoked by then.
        pub fn is_active_at(doctor: &T::AccountId, epoch: u64) -> bool {
            match Self::doctor_status(doctor) {
                Some((_, None)) => true,
                Some((_, Some(from))) => epoch < from,
                None => false,
            }
        }

        /// Encoded `pp`.
        pub fn params() -> Vec<u8> {
            Params::<T>::get().into_inner()
        }

        /// Encoded update key of `epoch`.
        pub fn update_key(epoch: u64) -> Option<Vec<u8>> {
            UpdateKeys::<T>::get(epoch).map(BoundedVec::into_inner)
        }
    }
}
