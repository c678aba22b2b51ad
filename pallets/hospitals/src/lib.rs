//! # Hospitals pallet
//!
//! The membership registry of MedChain. It holds:
//!
//! - the **registered hospitals** (account, name, node peer id, 48-byte G1 encryption key),
//!   admitted and removed by [`Config::AdmissionOrigin`] (a majority of the hospitals' council, or
//!   root on a dev chain);
//! - the **search authorisations** `A_from->to`: a hospital lets another one search its keyword
//!   indices until a block number, handing it the search key encrypted to the grantee;
//! - the **doctors** of each hospital, added and removed by their hospital. A doctor still
//!   holding an unrevoked attribute key cannot be removed ([`Config::DoctorKeys`]): its key
//!   decrypts without the hospital, so the KGC revokes it first.
//!
//! It also drives three other parts of the runtime through [`traits`]: an admitted hospital's
//! session keys are registered ([`Config::KeyRegistry`]) and the hospital is returned as a
//! validator by this pallet's [`SessionManager`](polkadot_sdk::pallet_session::SessionManager) from the next session; its node's
//! peer id becomes a well-known node ([`Config::PeerRegistry`]); and the council is kept equal to
//! the set of hospitals ([`Config::MembershipChanged`]). Removal undoes all three.
//!
//! Signed transactions are only accepted from members: see [`CheckMemberNonce`].

#![cfg_attr(not(feature = "std"), no_std)]
// FRAME's `pallet` and `*NoBound` derive macros clone `Copy` fields in the code they generate.
#![allow(clippy::clone_on_copy)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod extension;
#[cfg(test)]
mod mock;
pub mod runtime_api;
mod session;
#[cfg(test)]
mod tests;
pub mod traits;
mod types;
pub mod weights;

pub use extension::{CheckMemberNonce, NOT_A_MEMBER, OVER_BLOCK_SHARE, TOO_MANY_PENDING};
pub use pallet::*;
pub use types::{Authorization, HospitalInfo};
pub use weights::WeightInfo;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use medchain_types::{CompressedG1, KeyEpoch};
    use polkadot_sdk::{
        frame_support::{
            pallet_prelude::*,
            traits::{ChangeMembers, Contains, EnsureOrigin},
        },
        frame_system::{self, pallet_prelude::*},
        sp_runtime::Perbill,
    };
    use traits::{DoctorKeys, KeyRegistry, PeerRegistry};

    /// The layout of this pallet's storage. Version 1 is the layout defined here; a change to
    /// any stored type bumps it and comes with its migration.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Who admits and removes hospitals: a majority of the hospitals (root on a dev chain).
        type AdmissionOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// The session keys a hospital's validator signs with (Aura + GRANDPA in the runtime).
        type Keys: Parameter;

        /// Registers an admitted hospital's session keys and forgets a removed one's.
        type KeyRegistry: KeyRegistry<Self::AccountId, Self::Keys>;

        /// Makes an admitted hospital's node a well-known (authorised) peer, and a removed one's
        /// node an unknown one.
        type PeerRegistry: PeerRegistry<Self::AccountId>;

        /// Told the new sorted set of hospitals whenever it changes (the hospitals' council).
        type MembershipChanged: ChangeMembers<Self::AccountId>;

        /// Whether a doctor still holds an unrevoked attribute key: such a doctor is not removed.
        type DoctorKeys: DoctorKeys<Self::AccountId>;

        /// Upper bound on registered hospitals: also bounds the validator set.
        #[pallet::constant]
        type MaxHospitals: Get<u32>;

        /// Upper bound on the doctors of one hospital.
        #[pallet::constant]
        type MaxDoctorsPerHospital: Get<u32>;

        /// Longest hospital name, in bytes.
        #[pallet::constant]
        type MaxNameLen: Get<u32>;

        /// Longest node peer id, in bytes (an ed25519 libp2p peer id is 38).
        #[pallet::constant]
        type MaxPeerIdLen: Get<u32>;

        /// Longest encrypted search key carried by an authorisation, in bytes.
        #[pallet::constant]
        type MaxSearchKeyLen: Get<u32>;

        /// Accounts that may sign transactions without being a hospital or a doctor: the KGC in
        /// the runtime.
        type OtherMembers: Contains<Self::AccountId>;

        /// How many transactions one member may have waiting in the pool: nonces further ahead
        /// of the account's on-chain nonce are refused by [`CheckMemberNonce`].
        #[pallet::constant]
        type MaxPendingPerAccount: Get<u32>;

        /// The share of a block's normal-class weight, and of its length, that one hospital's
        /// transactions and its doctors' may use together: [`CheckMemberNonce`] leaves the rest
        /// of the block to the other hospitals, and refuses outright a transaction larger than
        /// the share.
        #[pallet::constant]
        type BlockSharePerAccount: Get<Perbill>;

        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// The registered hospitals.
    #[pallet::storage]
    pub type Hospitals<T: Config> =
        CountedStorageMap<_, Blake2_128Concat, T::AccountId, HospitalInfo<T>>;

    /// Which hospital's node each peer id belongs to: a node serves one hospital only.
    #[pallet::storage]
    pub type PeerOwners<T: Config> =
        StorageMap<_, Blake2_128Concat, BoundedVec<u8, T::MaxPeerIdLen>, T::AccountId>;

    /// Search authorisations, keyed by grantee first so that "who authorises `h`" is one prefix.
    #[pallet::storage]
    pub type Authorizations<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        T::AccountId,
        Blake2_128Concat,
        T::AccountId,
        Authorization<T>,
    >;

    /// The key epoch of each hospital's current search key (CRYPTO.md section 3). A withdrawal
    /// moves it on, so indices built afterwards are beyond the withdrawn hospital's keys. Kept
    /// when a hospital is removed: a re-admitted hospital must not reuse keys others still hold.
    #[pallet::storage]
    pub type SearchKeyEpochs<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, KeyEpoch, ValueQuery>;

    /// The hospital each doctor works for.
    #[pallet::storage]
    pub type DoctorOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

    /// The doctors of each hospital, so that removing a hospital can remove its doctors.
    #[pallet::storage]
    pub type Doctors<T: Config> = StorageMap<
        _,
        Blake2_128Concat,
        T::AccountId,
        BoundedVec<T::AccountId, T::MaxDoctorsPerHospital>,
        ValueQuery,
    >;

    /// What each hospital's transactions and its doctors' used of the block they were last
    /// included in: the block, weight and length. One entry per hospital (and for the KGC
    /// none), read as nothing used once the block is past.
    #[pallet::storage]
    pub type BlockUsage<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, (BlockNumberFor<T>, Weight, u32)>;

    /// Set when the set of hospitals changed since the last planned session, so that the session
    /// manager hands the session pallet a new validator set only when there is one.
    #[pallet::storage]
    pub type ValidatorsChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

    /// A founding hospital in the genesis config: account, name, peer id, encryption key.
    pub type FoundingHospital<T> = (
        <T as frame_system::Config>::AccountId,
        Vec<u8>,
        Vec<u8>,
        Vec<u8>,
    );

    #[pallet::genesis_config]
    #[derive(polkadot_sdk::frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Founding hospitals: account, name, node peer id, encryption key (48 bytes). Their
        /// session keys and peer ids are given to the session and node-authorisation pallets'
        /// genesis.
        pub hospitals: Vec<FoundingHospital<T>>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (account, name, peer_id, encryption_key) in &self.hospitals {
                let encryption_key = CompressedG1::try_from(encryption_key.as_slice())
                    .expect("a genesis encryption key is 48 bytes");
                let info = HospitalInfo::<T>::new(name.clone(), peer_id.clone(), encryption_key)
                    .expect("genesis hospital fields fit their bounds and the key is valid");
                assert!(
                    !Hospitals::<T>::contains_key(account),
                    "a genesis hospital is listed twice"
                );
                assert!(
                    !PeerOwners::<T>::contains_key(&info.peer_id),
                    "two genesis hospitals share a peer id"
                );
                Pallet::<T>::insert_hospital(account, info);
            }
            assert!(
                Hospitals::<T>::count() <= T::MaxHospitals::get(),
                "more genesis hospitals than MaxHospitals"
            );
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A hospital was admitted; it validates from a coming session.
        HospitalAdmitted {
            hospital: T::AccountId,
            name: Vec<u8>,
            peer_id: Vec<u8>,
        },
        /// A hospital was removed, with its doctors and every authorisation from or to it.
        HospitalRemoved { hospital: T::AccountId },
        /// `from` lets `to` search its indices until block `expires_at` (exclusive).
        Authorized {
            from: T::AccountId,
            to: T::AccountId,
            expires_at: BlockNumberFor<T>,
        },
        /// `from` withdrew its authorisation of `to`.
        AuthorizationWithdrawn {
            from: T::AccountId,
            to: T::AccountId,
        },
        /// `hospital` indexes with its search key of `key_epoch` from now on; its node hands the
        /// new key to every hospital it still authorises.
        SearchKeyRotated {
            hospital: T::AccountId,
            key_epoch: KeyEpoch,
        },
        /// `doctor` now works for `hospital`.
        DoctorAdded {
            hospital: T::AccountId,
            doctor: T::AccountId,
        },
        /// `doctor` no longer works for `hospital`.
        DoctorRemoved {
            hospital: T::AccountId,
            doctor: T::AccountId,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The account is already a registered hospital.
        AlreadyRegistered,
        /// The account is not a registered hospital.
        UnknownHospital,
        /// The registry already holds `MaxHospitals` hospitals.
        TooManyHospitals,
        /// The name is longer than `MaxNameLen`.
        NameTooLong,
        /// The peer id is empty or longer than `MaxPeerIdLen`.
        BadPeerId,
        /// The encryption key is not a valid compressed BLS12-381 G1 point, or is the identity.
        InvalidEncryptionKey,
        /// Another hospital's node already uses this peer id.
        PeerIdInUse,
        /// A hospital cannot authorise itself.
        SelfAuthorization,
        /// The expiry block is not in the future.
        ExpiryInPast,
        /// The encrypted search key is longer than `MaxSearchKeyLen`.
        SearchKeyTooLong,
        /// There is no authorisation from the caller to that hospital.
        NotAuthorized,
        /// The account already is a hospital or a doctor.
        AlreadyMember,
        /// The account is not a doctor of the calling hospital.
        UnknownDoctor,
        /// The hospital already has `MaxDoctorsPerHospital` doctors.
        TooManyDoctors,
        /// The last hospital cannot be removed: the chain would have no validator.
        LastHospital,
        /// The caller has withdrawn `u32::MAX` authorisations: no search key epoch is left.
        SearchKeyEpochsExhausted,
        /// The doctor holds an attribute key that is not revoked: the KGC revokes it first.
        DoctorKeyNotRevoked,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn integrity_test() {
            assert!(
                T::MaxHospitals::get() > 0,
                "MaxHospitals must admit a hospital: the chain needs a validator"
            );
            assert!(
                T::MaxDoctorsPerHospital::get() > 0,
                "MaxDoctorsPerHospital must admit a doctor"
            );
            assert!(
                T::MaxPeerIdLen::get() >= 38,
                "MaxPeerIdLen must hold an ed25519 libp2p peer id (38 bytes)"
            );
            assert!(
                T::MaxPendingPerAccount::get() > 0,
                "MaxPendingPerAccount must let a member queue a transaction"
            );
            assert!(
                !T::BlockSharePerAccount::get().is_zero(),
                "BlockSharePerAccount must let a member's transaction into a block"
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
        /// Admit `hospital`: it becomes a member now and a validator from a coming session, its
        /// node becomes an authorised peer, and it joins the council.
        ///
        /// The origin must be [`Config::AdmissionOrigin`] (a council majority). `name` is shown to
        /// users, `peer_id` is its node's libp2p id, `encryption_key` the G1 key other hospitals
        /// seal their search keys to, `keys` its validator's session keys.
        ///
        /// Emits [`Event::HospitalAdmitted`]. Errors: `AlreadyRegistered`, `AlreadyMember` (the
        /// account is a doctor, or the KGC), `TooManyHospitals`, `NameTooLong`, `BadPeerId`,
        /// `InvalidEncryptionKey`, `PeerIdInUse`, and the session pallet's refusal of `keys`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::admit_hospital())]
        pub fn admit_hospital(
            origin: OriginFor<T>,
            hospital: T::AccountId,
            name: Vec<u8>,
            peer_id: Vec<u8>,
            encryption_key: CompressedG1,
            keys: T::Keys,
        ) -> DispatchResult {
            T::AdmissionOrigin::ensure_origin(origin)?;
            ensure!(
                !Hospitals::<T>::contains_key(&hospital),
                Error::<T>::AlreadyRegistered
            );
            ensure!(
                !DoctorOf::<T>::contains_key(&hospital) && !T::OtherMembers::contains(&hospital),
                Error::<T>::AlreadyMember
            );
            ensure!(
                Hospitals::<T>::count() < T::MaxHospitals::get(),
                Error::<T>::TooManyHospitals
            );
            let info = HospitalInfo::<T>::new(name, peer_id, encryption_key)?;
            ensure!(
                !PeerOwners::<T>::contains_key(&info.peer_id),
                Error::<T>::PeerIdInUse
            );

            T::KeyRegistry::register(&hospital, keys)?;
            T::PeerRegistry::authorize(&hospital, &info.peer_id)?;
            let event = Event::HospitalAdmitted {
                hospital: hospital.clone(),
                name: info.name.to_vec(),
                peer_id: info.peer_id.to_vec(),
            };
            Self::insert_hospital(&hospital, info);
            T::MembershipChanged::change_members_sorted(
                core::slice::from_ref(&hospital),
                &[],
                &Self::sorted_hospitals(),
            );
            Self::deposit_event(event);
            Ok(())
        }

        /// Remove `hospital` with its doctors and every authorisation from or to it. It stops
        /// validating from a coming session and its node is no longer an authorised peer.
        ///
        /// The origin must be [`Config::AdmissionOrigin`]. The last hospital stays: the chain
        /// would have no validator. Charged for `MaxHospitals` hospitals and
        /// `MaxDoctorsPerHospital` doctors; what the removal did not touch is refunded.
        ///
        /// Emits [`Event::HospitalRemoved`]. Errors: `UnknownHospital`, `LastHospital`.
        ///
        /// ## Complexity
        /// `O(h + d)` for `h` registered hospitals and the removed hospital's `d` doctors.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::remove_hospital(
            T::MaxHospitals::get(),
            T::MaxDoctorsPerHospital::get(),
        ))]
        pub fn remove_hospital(
            origin: OriginFor<T>,
            hospital: T::AccountId,
        ) -> DispatchResultWithPostInfo {
            T::AdmissionOrigin::ensure_origin(origin)?;
            let info = Hospitals::<T>::get(&hospital).ok_or(Error::<T>::UnknownHospital)?;
            let hospitals = Hospitals::<T>::count();
            ensure!(hospitals > 1, Error::<T>::LastHospital);

            T::KeyRegistry::unregister(&hospital)?;
            T::PeerRegistry::revoke(&hospital, &info.peer_id)?;
            Hospitals::<T>::remove(&hospital);
            PeerOwners::<T>::remove(&info.peer_id);
            let doctors = Doctors::<T>::take(&hospital);
            for doctor in &doctors {
                DoctorOf::<T>::remove(doctor);
            }
            // Grants to the hospital share a prefix; grants from it are at most one per hospital.
            let _ = Authorizations::<T>::clear_prefix(&hospital, T::MaxHospitals::get(), None);
            for grantee in Hospitals::<T>::iter_keys() {
                Authorizations::<T>::remove(&grantee, &hospital);
            }
            ValidatorsChanged::<T>::put(true);
            T::MembershipChanged::change_members_sorted(
                &[],
                core::slice::from_ref(&hospital),
                &Self::sorted_hospitals(),
            );
            Self::deposit_event(Event::HospitalRemoved { hospital });
            Ok(Some(T::WeightInfo::remove_hospital(
                hospitals,
                doctors.len() as u32,
            ))
            .into())
        }

        /// Let hospital `to` search the caller's indices until block `expires_at` (exclusive),
        /// handing it the caller's search key of its current key epoch, encrypted to `to`.
        /// Replaces any earlier grant.
        ///
        /// The origin must be a registered hospital, the grantor. Emits [`Event::Authorized`].
        /// Errors: `UnknownHospital` (the caller or `to`), `SelfAuthorization`, `ExpiryInPast`,
        /// `SearchKeyTooLong`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::authorize(encrypted_search_key.len() as u32))]
        pub fn authorize(
            origin: OriginFor<T>,
            to: T::AccountId,
            expires_at: BlockNumberFor<T>,
            encrypted_search_key: Vec<u8>,
        ) -> DispatchResult {
            let from = Self::ensure_hospital(origin)?;
            ensure!(from != to, Error::<T>::SelfAuthorization);
            ensure!(
                Hospitals::<T>::contains_key(&to),
                Error::<T>::UnknownHospital
            );
            ensure!(
                expires_at > frame_system::Pallet::<T>::block_number(),
                Error::<T>::ExpiryInPast
            );
            let encrypted_search_key = encrypted_search_key
                .try_into()
                .map_err(|_| Error::<T>::SearchKeyTooLong)?;
            Authorizations::<T>::insert(
                &to,
                &from,
                Authorization {
                    expires_at,
                    key_epoch: SearchKeyEpochs::<T>::get(&from),
                    encrypted_search_key,
                },
            );
            Self::deposit_event(Event::Authorized {
                from,
                to,
                expires_at,
            });
            Ok(())
        }

        /// End the caller's authorisation of hospital `to`, and move the caller to its next
        /// search key epoch so that `to` cannot test the indices published from now on.
        ///
        /// The origin must be a registered hospital, the grantor. Emits
        /// [`Event::AuthorizationWithdrawn`] and [`Event::SearchKeyRotated`]. Errors:
        /// `UnknownHospital`, `NotAuthorized` (no grant to `to`), `SearchKeyEpochsExhausted`.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::withdraw())]
        pub fn withdraw(origin: OriginFor<T>, to: T::AccountId) -> DispatchResult {
            let from = Self::ensure_hospital(origin)?;
            Authorizations::<T>::take(&to, &from).ok_or(Error::<T>::NotAuthorized)?;
            let key_epoch = SearchKeyEpochs::<T>::get(&from)
                .next()
                .ok_or(Error::<T>::SearchKeyEpochsExhausted)?;
            SearchKeyEpochs::<T>::insert(&from, key_epoch);
            Self::deposit_event(Event::AuthorizationWithdrawn {
                from: from.clone(),
                to,
            });
            Self::deposit_event(Event::SearchKeyRotated {
                hospital: from,
                key_epoch,
            });
            Ok(())
        }

        /// Make `doctor` a doctor of the calling hospital: it may then sign transactions
        /// (register its encryption key, report) and be issued an attribute key by the KGC.
        ///
        /// The origin must be a registered hospital. Emits [`Event::DoctorAdded`]. Errors:
        /// `UnknownHospital`, `AlreadyMember` (a hospital, another hospital's doctor, or the
        /// KGC, whose keys must not be a hospital's to use), `TooManyDoctors`.
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::add_doctor())]
        pub fn add_doctor(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
            let hospital = Self::ensure_hospital(origin)?;
            ensure!(!Self::is_member(&doctor), Error::<T>::AlreadyMember);
            Doctors::<T>::try_mutate(&hospital, |doctors| doctors.try_push(doctor.clone()))
                .map_err(|_| Error::<T>::TooManyDoctors)?;
            DoctorOf::<T>::insert(&doctor, &hospital);
            Self::ensure_account_exists(&doctor);
            Self::deposit_event(Event::DoctorAdded { hospital, doctor });
            Ok(())
        }

        /// Remove `doctor` from the calling hospital.
        ///
        /// Refused with `DoctorKeyNotRevoked` while the doctor holds an attribute key that is not
        /// revoked: the key decrypts without the hospital, so a doctor must not leave with a
        /// working one. The KGC revokes it first (`Kgc::revoke`), then the hospital removes it.
        ///
        /// The origin must be a registered hospital, the doctor's. Emits
        /// [`Event::DoctorRemoved`]. Errors: `UnknownHospital`, `UnknownDoctor`,
        /// `DoctorKeyNotRevoked`.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::remove_doctor())]
        pub fn remove_doctor(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
            let hospital = Self::ensure_hospital(origin)?;
            ensure!(
                DoctorOf::<T>::get(&doctor).as_ref() == Some(&hospital),
                Error::<T>::UnknownDoctor
            );
            ensure!(
                !T::DoctorKeys::holds_unrevoked_key(&doctor),
                Error::<T>::DoctorKeyNotRevoked
            );
            DoctorOf::<T>::remove(&doctor);
            Doctors::<T>::mutate(&hospital, |doctors| doctors.retain(|d| d != &doctor));
            Self::deposit_event(Event::DoctorRemoved { hospital, doctor });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Whether `who` may sign transactions: a registered hospital, one of their doctors, or
        /// one of [`Config::OtherMembers`].
        pub fn is_member(who: &T::AccountId) -> bool {
            Hospitals::<T>::contains_key(who)
                || DoctorOf::<T>::contains_key(who)
                || T::OtherMembers::contains(who)
        }

        /// Whether `who` is a registered hospital.
        pub fn is_hospital(who: &T::AccountId) -> bool {
            Hospitals::<T>::contains_key(who)
        }

        /// The hospital `doctor` works for.
        pub fn hospital_of(doctor: &T::AccountId) -> Option<T::AccountId> {
            DoctorOf::<T>::get(doctor)
        }

        /// `hospital`'s node peer id and encryption key, if registered.
        pub fn contact(hospital: &T::AccountId) -> Option<(Vec<u8>, CompressedG1)> {
            Hospitals::<T>::get(hospital)
                .map(|info| (info.peer_id.into_inner(), info.encryption_key))
        }

        /// The hospital whose node has peer id `peer_id`.
        pub fn owner_of_peer(peer_id: &[u8]) -> Option<T::AccountId> {
            let peer_id: BoundedVec<u8, T::MaxPeerIdLen> = peer_id.to_vec().try_into().ok()?;
            PeerOwners::<T>::get(peer_id)
        }

        /// The search key `from` sealed to `to` in its authorisation, if active now.
        pub fn sealed_search_key(from: &T::AccountId, to: &T::AccountId) -> Option<Vec<u8>> {
            let now = frame_system::Pallet::<T>::block_number();
            Authorizations::<T>::get(to, from)
                .filter(|grant| grant.is_active_at(now))
                .map(|grant| grant.encrypted_search_key.into_inner())
        }

        /// The hospitals `from` authorises now, with the block each grant expires at and the
        /// key epoch it carries: whom its node still has to hand a rotated search key.
        pub fn grants_by(from: &T::AccountId) -> Vec<(T::AccountId, BlockNumberFor<T>, KeyEpoch)> {
            let now = frame_system::Pallet::<T>::block_number();
            Hospitals::<T>::iter_keys()
                .filter_map(|to| {
                    Authorizations::<T>::get(&to, from)
                        .filter(|grant| grant.is_active_at(now))
                        .map(|grant| (to, grant.expires_at, grant.key_epoch))
                })
                .collect()
        }

        /// The key epoch of `hospital`'s current search key.
        pub fn search_key_epoch(hospital: &T::AccountId) -> KeyEpoch {
            SearchKeyEpochs::<T>::get(hospital)
        }

        /// Whether `from` authorises `to` now (granted and not expired).
        pub fn authorizes(from: &T::AccountId, to: &T::AccountId) -> bool {
            let now = frame_system::Pallet::<T>::block_number();
            Authorizations::<T>::get(to, from).is_some_and(|grant| grant.is_active_at(now))
        }

        /// Whether `doctor` is a doctor of `hospital`.
        pub fn is_doctor_of(doctor: &T::AccountId, hospital: &T::AccountId) -> bool {
            DoctorOf::<T>::get(doctor).as_ref() == Some(hospital)
        }

        /// The hospitals whose authorisation of `hospital` is active now (not expired).
        pub fn authorizers_of(hospital: &T::AccountId) -> Vec<T::AccountId> {
            let now = frame_system::Pallet::<T>::block_number();
            Authorizations::<T>::iter_prefix(hospital)
                .filter(|(_, grant)| grant.is_active_at(now))
                .map(|(from, _)| from)
                .collect()
        }

        /// The registered hospitals, sorted (the order the council and validator set use).
        pub fn sorted_hospitals() -> Vec<T::AccountId> {
            let mut hospitals: Vec<_> = Hospitals::<T>::iter_keys().collect();
            hospitals.sort();
            hospitals
        }

        /// The registry's invariants, checked by `try-runtime` and after every unit test:
        ///
        /// - the hospital counter is the number of hospitals, at most `MaxHospitals`;
        /// - `PeerOwners` is exactly the inverse of the hospitals' peer ids;
        /// - `Doctors` and `DoctorOf` hold the same relation, from registered hospitals to
        ///   accounts that are not hospitals;
        /// - an authorisation is between two distinct registered hospitals and carries a search
        ///   key epoch its grantor has reached.
        #[cfg(any(feature = "try-runtime", test))]
        pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
            let hospitals = Hospitals::<T>::iter().count();
            ensure!(
                hospitals as u32 == Hospitals::<T>::count(),
                "the hospital counter is not the number of hospitals"
            );
            ensure!(
                hospitals as u32 <= T::MaxHospitals::get(),
                "more hospitals than MaxHospitals"
            );
            for (hospital, info) in Hospitals::<T>::iter() {
                ensure!(
                    PeerOwners::<T>::get(&info.peer_id).as_ref() == Some(&hospital),
                    "a hospital's peer id is owned by another account"
                );
            }
            ensure!(
                PeerOwners::<T>::iter().count() == hospitals,
                "a peer id is owned by no hospital"
            );
            let mut listed = 0;
            for (hospital, doctors) in Doctors::<T>::iter() {
                ensure!(
                    Hospitals::<T>::contains_key(&hospital),
                    "an account that is no hospital has doctors"
                );
                for doctor in &doctors {
                    ensure!(
                        DoctorOf::<T>::get(doctor).as_ref() == Some(&hospital),
                        "a doctor in a hospital's list works for another"
                    );
                    ensure!(
                        !Hospitals::<T>::contains_key(doctor),
                        "a doctor is also a hospital"
                    );
                }
                listed += doctors.len();
            }
            ensure!(
                DoctorOf::<T>::iter().count() == listed,
                "a doctor is missing from its hospital's list, or listed twice"
            );
            for (to, from, grant) in Authorizations::<T>::iter() {
                ensure!(from != to, "a hospital authorises itself");
                ensure!(
                    Hospitals::<T>::contains_key(&from) && Hospitals::<T>::contains_key(&to),
                    "an authorisation outlived its grantor or grantee"
                );
                ensure!(
                    grant.key_epoch <= SearchKeyEpochs::<T>::get(&from),
                    "a grant carries a search key epoch its grantor has not reached"
                );
            }
            Ok(())
        }

        fn ensure_hospital(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
            let who = ensure_signed(origin)?;
            ensure!(
                Hospitals::<T>::contains_key(&who),
                Error::<T>::UnknownHospital
            );
            Ok(who)
        }

        fn insert_hospital(account: &T::AccountId, info: HospitalInfo<T>) {
            PeerOwners::<T>::insert(&info.peer_id, account);
            Hospitals::<T>::insert(account, info);
            Self::ensure_account_exists(account);
            ValidatorsChanged::<T>::put(true);
        }

        /// Members pay no fees and hold no balance, so membership is what keeps their account
        /// (and its nonce) alive. The provider is never given back: a removed and re-admitted
        /// member keeps its nonce, so its old transactions cannot be replayed.
        fn ensure_account_exists(who: &T::AccountId) {
            if !frame_system::Pallet::<T>::account_exists(who) {
                frame_system::Pallet::<T>::inc_providers(who);
            }
        }
    }
}
