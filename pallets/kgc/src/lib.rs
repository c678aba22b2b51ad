//! # KGC pallet
//!
//! The on-chain side of MedChain's key generation centre (`CRYPTO.md` section 1). It holds:
//!
//! - the **KGC account** (set at genesis, changeable by [`Config::AdminOrigin`]) and the public
//!   parameters `pp` with the revocation tree's depth (genesis);
//! - each doctor's **encryption key `pk_D`**, registered by the doctor's own signed transaction.
//!   That signature is the proof that the doctor chose the key: the KGC seals attribute keys only
//!   to a key registered this way, so a hospital cannot substitute a key of its own and open its
//!   doctor's `SK`;
//! - each doctor's **key issuance** ([`KeyIssue`]): the fresh tree leaf, the `pk_D` the key was
//!   sealed to and the hash of the sealed key. Leaves are handed out in order and never reused,
//!   and an account is issued one key for life;
//! - the **current epoch**, the **revocation list** `(leaf, epoch)` and the **update key of every
//!   epoch** (older records need older keys).
//!
//! The epoch advances only together with the publication of the next epoch's update key, so the
//! current epoch always has an update key. A revocation is dated `current + 1` and published in
//! the same call as the update key of that epoch. Together these keep the invariant the scheme's
//! revocation rests on: **no revocation is ever dated at or before an epoch whose update key is
//! published** (a published update key stays valid forever, so a revocation it does not reflect
//! would not take effect). Capsules are only accepted under the current epoch (pallet-records).
//!
//! An update key is accepted only when its node set equals `KUNodes(rl, T)` computed here from the
//! on-chain list with the same code the KGC uses ([`medchain_crypto::tree`]). The runtime reads
//! the node ids at the front of the encoded key and never decodes group elements: the hospitals
//! and doctors validate those when they use them.
//!
//! Call indices 1 (`assign_leaf`) and 2 (`revoke(doctor, epoch)`) belong to the calls this
//! version replaced; they stay unused so that no transaction signed for them decodes as a new one.

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

/// Registers the accounts the benchmarks use, so that they run each call's worst case.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// A doctor of some registered hospital, holding no key yet, a distinct one for each `n`.
    fn doctor(n: u32) -> AccountId;
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use codec::{Decode, DecodeAll};
    use medchain_crypto::{
        abe::{PublicParams, UpdateKeyNodes},
        elgamal,
        tree::{LeafAllocator, Tree},
    };
    use medchain_types::{
        access::is_revoked, CompressedG1, Epoch, HospitalDirectory, LeafIndex, Revocation,
    };
    use polkadot_sdk::{
        frame_support::pallet_prelude::*,
        frame_system::{self, pallet_prelude::*},
        sp_io::hashing::sha2_256,
    };

    /// The issuance of a doctor's attribute key `SK`, as the KGC declared it on-chain. The doctor
    /// checks the sealed key it receives against it, and the auditor reads it (from
    /// [`Event::KeyIssued`]) to know which leaf and which `pk_D` each doctor's key belongs to.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
    pub struct KeyIssue {
        /// The doctor's tree leaf `nu`: inside `SK` and in the seal's associated data.
        pub leaf: LeafIndex,
        /// The registered `pk_D` the key was sealed to.
        pub encryption_key: CompressedG1,
        /// SHA-256 of the sealed key as the KGC handed it out.
        pub sealed_key_hash: [u8; 32],
    }

    /// The layout of this pallet's storage. Version 1 is the layout defined here; a change to
    /// any stored type bumps it and comes with its migration.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Who may replace the KGC account: a majority of the hospitals (root on a dev chain).
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// Which accounts are doctors: only they register encryption keys and are issued keys.
        type Hospitals: HospitalDirectory<Self::AccountId>;

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

    /// The KGC's account: the only one that issues keys, revokes and publishes update keys.
    #[pallet::storage]
    pub type KgcAccount<T: Config> = StorageValue<_, T::AccountId>;

    /// `pp`, SCALE-encoded ([`PublicParams`]).
    #[pallet::storage]
    pub type Params<T: Config> = StorageValue<_, BoundedVec<u8, T::MaxParamsLen>, ValueQuery>;

    /// Depth of the revocation tree (from `pp`).
    #[pallet::storage]
    pub type TreeDepth<T: Config> = StorageValue<_, u8, ValueQuery>;

    /// The current epoch `T`: capsules must be made under it, and its update key is published.
    #[pallet::storage]
    pub type CurrentEpoch<T: Config> = StorageValue<_, Epoch, ValueQuery>;

    /// The next free leaf. It only grows: a leaf is never handed out twice.
    #[pallet::storage]
    pub type NextLeaf<T: Config> = StorageValue<_, LeafIndex, ValueQuery>;

    /// Each doctor's encryption key `pk_D`, registered by the doctor (one fixed-size entry per
    /// account that was a doctor when it registered).
    #[pallet::storage]
    pub type EncryptionKeys<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, CompressedG1>;

    /// Each doctor's leaf: what revocation and the doctor's status read. Set together with
    /// [`KeyIssues`] (and alone by the `assign_leaf` of earlier versions, so that doctors given
    /// a leaf then still count as holding a key and stay revocable).
    #[pallet::storage]
    pub type LeafOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, LeafIndex>;

    /// Each doctor's key issuance: at most one per account, for life.
    #[pallet::storage]
    pub type KeyIssues<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, KeyIssue>;

    /// The revocation list `rl`.
    #[pallet::storage]
    pub type Revocations<T: Config> =
        StorageValue<_, BoundedVec<Revocation, T::MaxRevocations>, ValueQuery>;

    /// The update key of each epoch up to the current one, SCALE-encoded
    /// ([`medchain_crypto::abe::UpdateKey`]). Never replaced once published.
    #[pallet::storage]
    pub type UpdateKeys<T: Config> =
        StorageMap<_, Twox64Concat, Epoch, BoundedVec<u8, T::MaxUpdateKeyLen>>;

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
            // Decoding refuses degenerate parameters (identity generators, `Y = 1`): clients take
            // `pp` from the chain spec, so a bad one must not make it into a genesis.
            let pp = PublicParams::decode_all(&mut &self.params[..])
                .expect("genesis public parameters decode");
            Tree::new(pp.depth).expect("genesis tree depth is valid");
            Params::<T>::put(
                BoundedVec::try_from(self.params.clone()).expect("genesis params fit MaxParamsLen"),
            );
            TreeDepth::<T>::put(pp.depth);
            let key = BoundedVec::try_from(self.initial_update_key.clone())
                .expect("genesis update key fits MaxUpdateKeyLen");
            Pallet::<T>::check_update_key(&key, Epoch::default(), &[])
                .expect("genesis update key is for epoch 0");
            UpdateKeys::<T>::insert(Epoch::default(), key);
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// The KGC account changed.
        KgcChanged { kgc: T::AccountId },
        /// `doctor` registered `key` as its encryption key `pk_D`.
        EncryptionKeyRegistered {
            doctor: T::AccountId,
            key: CompressedG1,
        },
        /// `doctor` was issued its attribute key on `leaf`, sealed to its registered key; the
        /// sealed key hashes to `sealed_key_hash` (SHA-256).
        KeyIssued {
            doctor: T::AccountId,
            leaf: LeafIndex,
            sealed_key_hash: [u8; 32],
        },
        /// `doctor` (on `leaf`) is revoked from `epoch` on.
        DoctorRevoked {
            doctor: T::AccountId,
            leaf: LeafIndex,
            epoch: Epoch,
        },
        /// The update key of `epoch` is on-chain: `nodes` tree nodes, SHA-256 `key_hash`.
        UpdateKeyPublished {
            epoch: Epoch,
            nodes: u32,
            key_hash: [u8; 32],
        },
        /// `epoch` is now the current epoch.
        EpochAdvanced { epoch: Epoch },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Only the KGC account may do this.
        NotKgc,
        /// The KGC has not published public parameters.
        NoParams,
        /// The account is not a doctor of any registered hospital.
        NotADoctor,
        /// The encryption key is not a valid compressed G1 point, or is the identity.
        InvalidEncryptionKey,
        /// The doctor was already issued a key (an account is issued one for life).
        KeyAlreadyIssued,
        /// The doctor has not registered an encryption key.
        NoEncryptionKey,
        /// The doctor's registered encryption key is not the one the key was sealed to: the
        /// doctor changed it meanwhile, and the KGC must seal to the new one.
        EncryptionKeyChanged,
        /// The leaf is not the next free one: another issuance took it meanwhile (seal for the
        /// next free leaf and retry).
        WrongLeaf,
        /// Every leaf of the tree is assigned.
        TreeFull,
        /// The doctor holds no leaf (no key was issued to it).
        NoLeaf,
        /// The doctor's leaf is already on the revocation list.
        AlreadyRevoked,
        /// The revocation list is full.
        TooManyRevocations,
        /// The epoch counter is at its maximum: no next epoch exists.
        EpochsExhausted,
        /// The update key does not decode.
        UndecodableUpdateKey,
        /// An update key must be for the epoch after the current one: a published update key
        /// is never replaced.
        WrongEpoch,
        /// The update key's node set is not `KUNodes(rl, T)` of the on-chain revocation list.
        NodeSetMismatch,
        /// `revocations` is below the length of the on-chain revocation list.
        RevocationWitnessTooLow,
        /// The account is a hospital or a doctor: the KGC is trusted with key issuance only,
        /// and an account that issued keys and held records or keys of its own would be more.
        AccountIsAMember,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn integrity_test() {
            assert!(
                T::MaxRevocations::get() > 0,
                "MaxRevocations must let the KGC revoke a doctor"
            );
            // The smallest update key: epoch, one node id, one `(U0, U1)` pair.
            assert!(
                T::MaxUpdateKeyLen::get() >= 8 + 1 + 8 + 1 + 2 * 96,
                "MaxUpdateKeyLen must hold an update key of one node"
            );
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(
            _: BlockNumberFor<T>,
        ) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Replaces the KGC account, which must be neither a hospital nor a doctor.
        ///
        /// The origin must be [`Config::AdminOrigin`]. Emits [`Event::KgcChanged`]. Errors:
        /// `AccountIsAMember`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::set_kgc())]
        pub fn set_kgc(origin: OriginFor<T>, kgc: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(
                !T::Hospitals::is_hospital(&kgc) && !T::Hospitals::is_doctor(&kgc),
                Error::<T>::AccountIsAMember
            );
            Self::set_account(&kgc);
            Self::deposit_event(Event::KgcChanged { kgc });
            Ok(())
        }

        /// Publishes the update key of the next epoch, which becomes the current epoch. Its node
        /// set must be `KUNodes(rl, current + 1)` of the on-chain list.
        ///
        /// The origin must be the KGC. `revocations` is the length of the on-chain revocation
        /// list, which the call's weight grows with (`KUNodes` is computed over it); a smaller
        /// number is refused, and the weight of the actual length is charged.
        ///
        /// The current epoch's own key cannot be published again: a published update key stays
        /// valid, so replacing it would not withdraw it (`CRYPTO.md`, "Revoke").
        ///
        /// Emits [`Event::UpdateKeyPublished`] and [`Event::EpochAdvanced`]. Errors: `NotKgc`,
        /// `RevocationWitnessTooLow`, `EpochsExhausted`, `NoParams`, `UndecodableUpdateKey`,
        /// `WrongEpoch`, `NodeSetMismatch`.
        ///
        /// ## Complexity
        /// `O(r * d)` for `r` revocations in a depth-`d` tree, plus the key's length.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::publish_update_key(*revocations))]
        pub fn publish_update_key(
            origin: OriginFor<T>,
            key: BoundedVec<u8, T::MaxUpdateKeyLen>,
            revocations: u32,
        ) -> DispatchResultWithPostInfo {
            Self::ensure_kgc(origin)?;
            let list = Self::revocations_within(revocations)?;
            let epoch = Self::next_epoch()?;
            let header = Self::check_update_key(&key, epoch, &list)?;
            Self::publish(key, &header);
            Ok(Some(T::WeightInfo::publish_update_key(list.len() as u32)).into())
        }

        /// Registers the caller's encryption key `pk_D`, to which the KGC seals its attribute key.
        ///
        /// The origin must be the doctor's own account: its signature is what shows that the
        /// doctor, not its hospital, chose the key. The key may be replaced until a key is issued
        /// to the doctor, and is fixed from then on.
        ///
        /// Emits [`Event::EncryptionKeyRegistered`]. Errors: `NotADoctor`, `KeyAlreadyIssued`,
        /// `InvalidEncryptionKey` (not a G1 point, or the identity).
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::register_encryption_key())]
        pub fn register_encryption_key(origin: OriginFor<T>, key: CompressedG1) -> DispatchResult {
            let doctor = ensure_signed(origin)?;
            ensure!(T::Hospitals::is_doctor(&doctor), Error::<T>::NotADoctor);
            ensure!(
                !LeafOf::<T>::contains_key(&doctor),
                Error::<T>::KeyAlreadyIssued
            );
            // The identity would make every seal to it readable by anyone: no key is the identity.
            elgamal::PublicKey::decompress(&key).map_err(|_| Error::<T>::InvalidEncryptionKey)?;
            EncryptionKeys::<T>::insert(&doctor, key);
            Self::deposit_event(Event::EncryptionKeyRegistered { doctor, key });
            Ok(())
        }

        /// Declares the issuance of `doctor`'s attribute key on tree leaf `leaf`, sealed
        /// off-chain to the doctor's registered `encryption_key`; the sealed key hashes to
        /// `sealed_key_hash` (SHA-256).
        ///
        /// The origin must be the KGC. The leaf and the key are inside the sealed key, so the
        /// call names both: `leaf` must be the next free leaf and `encryption_key` the doctor's
        /// registered one. When another issuance or a key change came first, the call fails and
        /// the KGC seals again, instead of the chain recording a key for the wrong leaf or the
        /// wrong `pk_D`. Leaves are never reused; an account is issued one key for life.
        ///
        /// Emits [`Event::KeyIssued`]. Errors: `NotKgc`, `NoParams`, `NotADoctor`,
        /// `KeyAlreadyIssued`, `NoEncryptionKey`, `EncryptionKeyChanged`, `TreeFull`, `WrongLeaf`.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::issue_key())]
        pub fn issue_key(
            origin: OriginFor<T>,
            doctor: T::AccountId,
            leaf: LeafIndex,
            encryption_key: CompressedG1,
            sealed_key_hash: [u8; 32],
        ) -> DispatchResult {
            Self::ensure_kgc(origin)?;
            let tree = Self::tree()?;
            ensure!(T::Hospitals::is_doctor(&doctor), Error::<T>::NotADoctor);
            ensure!(
                !LeafOf::<T>::contains_key(&doctor),
                Error::<T>::KeyAlreadyIssued
            );
            let registered =
                EncryptionKeys::<T>::get(&doctor).ok_or(Error::<T>::NoEncryptionKey)?;
            ensure!(
                registered == encryption_key,
                Error::<T>::EncryptionKeyChanged
            );
            let mut leaves = LeafAllocator::starting_at(NextLeaf::<T>::get());
            // A full tree first: retrying with another leaf would not help.
            let next = leaves.assign(&tree).map_err(|_| Error::<T>::TreeFull)?;
            ensure!(leaf == next, Error::<T>::WrongLeaf);
            // `next` is below `2^MAX_DEPTH`, so this cannot overflow; checked all the same.
            NextLeaf::<T>::put(next.next().ok_or(Error::<T>::TreeFull)?);
            LeafOf::<T>::insert(&doctor, leaf);
            KeyIssues::<T>::insert(
                &doctor,
                KeyIssue {
                    leaf,
                    encryption_key,
                    sealed_key_hash,
                },
            );
            Self::deposit_event(Event::KeyIssued {
                doctor,
                leaf,
                sealed_key_hash,
            });
            Ok(())
        }

        /// Revokes `doctor` from the next epoch on, publishing `key` as that epoch's update key
        /// and advancing to it, all in one transaction: the revocation is dated `current + 1`
        /// and `key` must be the update key of `current + 1` for the revocation list with it.
        ///
        /// A revocation cannot be dated at the current epoch: its update key is published and
        /// stays valid, so the revoked doctor would keep opening that epoch's capsules. Dating it
        /// later and advancing at once keeps every published update key in line with the list.
        /// If `key` is refused, nothing is stored: no revocation without its update key.
        ///
        /// The origin must be the KGC. `revocations` is the length of the on-chain revocation
        /// list before this revocation; a smaller number is refused, and the weight of the
        /// actual length is charged. The doctor need not be a doctor any more: a removed doctor's
        /// key still decrypts until it is revoked.
        ///
        /// Emits [`Event::DoctorRevoked`], [`Event::UpdateKeyPublished`] and
        /// [`Event::EpochAdvanced`]. Errors: `NotKgc`, `RevocationWitnessTooLow`, `NoLeaf`,
        /// `AlreadyRevoked`, `TooManyRevocations`, `EpochsExhausted`, `NoParams`,
        /// `UndecodableUpdateKey`, `WrongEpoch`, `NodeSetMismatch`.
        ///
        /// ## Complexity
        /// `O(r * d)` for `r` revocations in a depth-`d` tree, plus the key's length.
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::revoke(*revocations))]
        pub fn revoke(
            origin: OriginFor<T>,
            doctor: T::AccountId,
            key: BoundedVec<u8, T::MaxUpdateKeyLen>,
            revocations: u32,
        ) -> DispatchResultWithPostInfo {
            Self::ensure_kgc(origin)?;
            let mut list = Self::revocations_within(revocations)?;
            let revoked_before = list.len() as u32;
            let leaf = LeafOf::<T>::get(&doctor).ok_or(Error::<T>::NoLeaf)?;
            ensure!(
                list.iter().all(|r| r.leaf != leaf),
                Error::<T>::AlreadyRevoked
            );
            let epoch = Self::next_epoch()?;
            list.try_push(Revocation { leaf, epoch })
                .map_err(|_| Error::<T>::TooManyRevocations)?;
            // Checked against the list with the new entry before anything is written.
            let header = Self::check_update_key(&key, epoch, &list)?;
            Revocations::<T>::put(list);
            Self::deposit_event(Event::DoctorRevoked {
                doctor,
                leaf,
                epoch,
            });
            Self::publish(key, &header);
            Ok(Some(T::WeightInfo::revoke(revoked_before)).into())
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

        /// The epoch after the current one: the only one an update key may be published for.
        fn next_epoch() -> Result<Epoch, DispatchError> {
            CurrentEpoch::<T>::get()
                .next()
                .ok_or_else(|| Error::<T>::EpochsExhausted.into())
        }

        /// The on-chain revocation list, if it has at most `witness` entries (the number the
        /// call's weight was charged for).
        fn revocations_within(
            witness: u32,
        ) -> Result<BoundedVec<Revocation, T::MaxRevocations>, DispatchError> {
            let list = Revocations::<T>::get();
            ensure!(
                list.len() as u32 <= witness,
                Error::<T>::RevocationWitnessTooLow
            );
            Ok(list)
        }

        /// Stores a checked update key and makes its epoch the current one.
        fn publish(key: BoundedVec<u8, T::MaxUpdateKeyLen>, header: &UpdateKeyNodes) {
            let key_hash = sha2_256(&key);
            UpdateKeys::<T>::insert(header.epoch, key);
            CurrentEpoch::<T>::put(header.epoch);
            Self::deposit_event(Event::UpdateKeyPublished {
                epoch: header.epoch,
                nodes: header.nodes.len() as u32,
                key_hash,
            });
            Self::deposit_event(Event::EpochAdvanced {
                epoch: header.epoch,
            });
        }

        /// Checks an encoded update key against the chain: epoch `epoch`, node set
        /// `KUNodes(revocations, epoch)`, and one `(U0, U1)` pair per node (by length; the points
        /// themselves are validated by the hospitals and doctors that decode them).
        pub(crate) fn check_update_key(
            key: &[u8],
            epoch: Epoch,
            revocations: &[Revocation],
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
            ensure!(header.epoch == epoch, Error::<T>::WrongEpoch);
            let expected = tree
                .ku_nodes(revocations, epoch)
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

        /// The key authority's invariants, checked by `try-runtime` and after every unit test:
        ///
        /// - with `pp` set, the update key of every epoch `0..=current` is published and none
        ///   beyond, and each one's node set is `KUNodes` of today's revocation list at its
        ///   epoch: no revocation is dated at or before an epoch whose key ignores it;
        /// - leaves are handed out below `NextLeaf`, each to one doctor, and a key issuance
        ///   names its doctor's leaf and the `pk_D` the doctor registered;
        /// - the revocation list names issued leaves, each once, from epochs already reached.
        #[cfg(any(feature = "try-runtime", test))]
        pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            let current = CurrentEpoch::<T>::get();
            let list = Revocations::<T>::get();
            if Params::<T>::get().is_empty() {
                ensure!(
                    UpdateKeys::<T>::iter_keys().next().is_none(),
                    "an update key without public parameters"
                );
            } else {
                let mut published = 0u64;
                for (epoch, key) in UpdateKeys::<T>::iter() {
                    ensure!(epoch <= current, "an update key beyond the current epoch");
                    Self::check_update_key(&key, epoch, &list)
                        .map_err(|_| "an update key is not KUNodes of the revocation list")?;
                    published += 1;
                }
                ensure!(
                    published == current.get().saturating_add(1),
                    "an epoch up to the current one has no update key"
                );
            }
            let next = NextLeaf::<T>::get();
            let mut leaves = alloc::collections::BTreeSet::new();
            for (_, leaf) in LeafOf::<T>::iter() {
                ensure!(leaf < next, "a leaf at or beyond NextLeaf is held");
                ensure!(leaves.insert(leaf), "two doctors hold one leaf");
            }
            for (doctor, issue) in KeyIssues::<T>::iter() {
                ensure!(
                    LeafOf::<T>::get(&doctor) == Some(issue.leaf),
                    "a key issuance names another leaf than its doctor's"
                );
                ensure!(
                    EncryptionKeys::<T>::get(&doctor) == Some(issue.encryption_key),
                    "a key was issued to another pk_D than its doctor's"
                );
            }
            let mut revoked = alloc::collections::BTreeSet::new();
            for entry in &list {
                ensure!(
                    leaves.contains(&entry.leaf),
                    "a revoked leaf was never issued"
                );
                ensure!(revoked.insert(entry.leaf), "a leaf is revoked twice");
                ensure!(
                    entry.epoch <= current,
                    "a revocation from an epoch not reached"
                );
            }
            Ok(())
        }

        /// A doctor's leaf and the epoch from which it is revoked, if it is.
        pub fn doctor_status(doctor: &T::AccountId) -> Option<(LeafIndex, Option<Epoch>)> {
            let leaf = LeafOf::<T>::get(doctor)?;
            let revoked = Revocations::<T>::get()
                .iter()
                .find(|r| r.leaf == leaf)
                .map(|r| r.epoch);
            Some((leaf, revoked))
        }

        /// Whether `doctor` may decrypt capsules of `epoch`: holds a leaf not revoked by then.
        pub fn is_active_at(doctor: &T::AccountId, epoch: Epoch) -> bool {
            Self::doctor_status(doctor).is_some_and(|(_, from)| !is_revoked(from, epoch))
        }

        /// Whether `doctor` holds an issued key that still opens capsules of the current epoch,
        /// the only epoch new capsules are made under. [`Pallet::revoke`] dates a revocation at
        /// the epoch it advances to, so a revoked doctor is never counted here.
        pub fn holds_unrevoked_key(doctor: &T::AccountId) -> bool {
            Self::is_active_at(doctor, CurrentEpoch::<T>::get())
        }

        /// The encryption key `pk_D` `doctor` registered.
        pub fn encryption_key(doctor: &T::AccountId) -> Option<CompressedG1> {
            EncryptionKeys::<T>::get(doctor)
        }

        /// The issuance of `doctor`'s key.
        pub fn key_issue(doctor: &T::AccountId) -> Option<KeyIssue> {
            KeyIssues::<T>::get(doctor)
        }

        /// Encoded `pp`.
        pub fn params() -> Vec<u8> {
            Params::<T>::get().into_inner()
        }

        /// Encoded update key of `epoch`.
        pub fn update_key(epoch: Epoch) -> Option<Vec<u8>> {
            UpdateKeys::<T>::get(epoch).map(BoundedVec::into_inner)
        }
    }
}
