//! How each pallet of the runtime is configured.

use crate::{
    call_filter::MemberCalls,
    directory::{Directory, KeyAuthority, KgcAccount, RecordDirectory},
    registries::{SessionKeyRegistry, WellKnownNodes},
    AccountId, Aura, Balance, Block, BlockNumber, Council, Hash, Hospitals, Nonce, OriginCaller,
    PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
    RuntimeOrigin, RuntimeTask, SessionKeys, System, MILLISECS_PER_BLOCK, SESSION_PERIOD,
    SLOT_DURATION, VERSION,
};
use polkadot_sdk::*;

use frame_support::{
    derive_impl,
    dispatch::DispatchClass,
    parameter_types,
    traits::{ConstBool, ConstU128, ConstU16, ConstU32, ConstU64, EitherOfDiverse, VariantCountOf},
    weights::{
        constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
        Weight,
    },
};
use frame_system::{
    limits::{BlockLength, BlockWeights},
    EnsureRoot,
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::ConvertInto, Perbill};

/// Upper bound on hospitals, hence on validators, well-known nodes and council members.
pub const MAX_HOSPITALS: u32 = 32;

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
const MAXIMUM_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
/// A third of the slot for execution leaves time to gossip and import the block.
const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(
    WEIGHT_REF_TIME_PER_SECOND.saturating_mul(MILLISECS_PER_BLOCK / 3_000),
    u64::MAX,
);

parameter_types! {
    pub const Version: sp_version::RuntimeVersion = VERSION;
    pub RuntimeBlockWeights: BlockWeights =
        BlockWeights::with_sensible_defaults(MAXIMUM_BLOCK_WEIGHT, NORMAL_DISPATCH_RATIO);
    pub RuntimeBlockLength: BlockLength = BlockLength::builder()
        .max_length(MAXIMUM_BLOCK_LENGTH)
        .modify_max_length_for_class(DispatchClass::Normal, |max| {
            *max = NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_LENGTH
        })
        .build();
    pub const SessionPeriod: BlockNumber = SESSION_PERIOD;
    pub const SessionOffset: BlockNumber = 0;
    pub CouncilMaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
    /// What one member's transactions may use of a block: a quarter, so that a member flooding
    /// the pool leaves three quarters of every block to the others, while a hospital importing
    /// its archive still publishes some 250 records per block.
    pub const BlockSharePerAccount: Perbill = Perbill::from_percent(25);
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
    type BaseCallFilter = MemberCalls;
    type Block = Block;
    type BlockWeights = RuntimeBlockWeights;
    type BlockLength = RuntimeBlockLength;
    type AccountId = AccountId;
    type Nonce = Nonce;
    type Hash = Hash;
    type BlockHashCount = ConstU32<2400>;
    type DbWeight = RocksDbWeight;
    type Version = Version;
    type AccountData = pallet_balances::AccountData<Balance>;
    type SS58Prefix = ConstU16<42>;
}

impl pallet_timestamp::Config for Runtime {
    type Moment = u64;
    type OnTimestampSet = Aura;
    type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
    type WeightInfo = ();
}

/// Only there because `pallet-session` needs a currency for key deposits, which are zero.
impl pallet_balances::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type WeightInfo = ();
    type Balance = Balance;
    type DustRemoval = ();
    type ExistentialDeposit = ConstU128<1>;
    type AccountStore = System;
    type ReserveIdentifier = [u8; 8];
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxLocks = ConstU32<0>;
    type MaxReserves = ConstU32<0>;
    type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
    type DoneSlashHandler = ();
}

/// A majority of the hospitals' council, or root (sudo, on a dev chain only).
pub type HospitalsMajority = EitherOfDiverse<
    EnsureRoot<AccountId>,
    pallet_collective::EnsureProportionMoreThan<AccountId, CouncilInstance, 1, 2>,
>;

impl pallet_hospitals::Config for Runtime {
    type AdmissionOrigin = HospitalsMajority;
    type Keys = SessionKeys;
    type KeyRegistry = SessionKeyRegistry;
    type PeerRegistry = WellKnownNodes;
    type MembershipChanged = Council;
    type DoctorKeys = KeyAuthority;
    type MaxHospitals = ConstU32<MAX_HOSPITALS>;
    // Removing a hospital removes its doctors in the same call: a read and a write each, about
    // 0.13 ms priced (BENCHMARKS.md). 100 keep the worst removal near 23 ms, far inside the
    // council's proposal weight (half a block), and bound the hospital's doctor list in storage.
    type MaxDoctorsPerHospital = ConstU32<100>;
    type MaxNameLen = ConstU32<128>;
    type MaxPeerIdLen = ConstU32<64>;
    type MaxSearchKeyLen = ConstU32<1_024>;
    type OtherMembers = KgcAccount;
    type MaxPendingPerAccount = ConstU32<16>;
    type BlockSharePerAccount = BlockSharePerAccount;
    type WeightInfo = pallet_hospitals::weights::SubstrateWeight<Runtime>;
}

/// Blocks a consultation stays open for claims: 30 seconds, long enough for every authorised
/// hospital's node to see the record and submit its doctors' claims.
pub const CONSULTATION_WINDOW: BlockNumber = 10;

/// Consultations of one hospital that may close in one block: 80 a minute. The block holds this
/// many for every hospital the registry can admit, so that no hospital's consultations can
/// crowd out another's.
const CLOSING_PER_HOSPITAL: u32 = 4;

impl pallet_kgc::Config for Runtime {
    type AdminOrigin = HospitalsMajority;
    type Hospitals = Directory;
    // `pp` is 1,585 bytes.
    type MaxParamsLen = ConstU32<2_048>;
    type MaxRevocations = ConstU32<512>;
    // 512 revocations in a depth-20 tree need at most 512 * 11 nodes of 192 bytes: 1.1 MB.
    type MaxUpdateKeyLen = ConstU32<{ 2 * 1024 * 1024 }>;
    type WeightInfo = pallet_kgc::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = crate::benchmarks::Accounts;
}

impl pallet_records::Config for Runtime {
    type Hospitals = Directory;
    type Keys = KeyAuthority;
    // 64 keywords of 16 bytes, padded: about 1.1 KB.
    type MaxIndexLen = ConstU32<4_096>;
    // 64 rows of 3 G1 points and a policy of up to 4 KB: about 14 KB.
    type MaxCapsuleLen = ConstU32<16_384>;
    // The largest sealed payload the cryptography makes and opens (1 GiB of ciphertext).
    type MaxPayloadSize = ConstU64<{ medchain_crypto::aead::MAX_SEALED_PAYLOAD_LEN }>;
    type ConsultationWindow = ConstU32<CONSULTATION_WINDOW>;
    type MaxClaims = ConstU32<64>;
    type MaxClosingPerBlock = ConstU32<{ MAX_HOSPITALS * CLOSING_PER_HOSPITAL }>;
    type MaxClosingPerHospital = ConstU32<CLOSING_PER_HOSPITAL>;
    type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = crate::benchmarks::Accounts;
}

impl pallet_results::Config for Runtime {
    type Hospitals = Directory;
    type Records = RecordDirectory;
    // Each hospital's share of a block's access log: 256 entries in 6 s is far above what one
    // hospital's doctors open, and a hospital that floods the log fills only its own share.
    type MaxAccessesPerHospital = ConstU32<256>;
    type MaxReportSize = ConstU64<{ 64 << 20 }>;
    type WeightInfo = pallet_results::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = crate::benchmarks::Accounts;
}

impl pallet_session::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type ValidatorId = AccountId;
    type ValidatorIdOf = ConvertInto;
    type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
    type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
    type SessionManager = Hospitals;
    type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
    type Keys = SessionKeys;
    type DisablingStrategy = ();
    type WeightInfo = ();
    type Currency = pallet_balances::Pallet<Runtime>;
    type KeyDeposit = ();
}

/// Needed for `pallet_session::SessionInterface`, through which the hospitals pallet registers
/// session keys; MedChain identifies validators by account alone.
impl pallet_session::historical::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type FullIdentification = ();
    type FullIdentificationOf = UnitIdentification;
}

/// Every validator's full identification is its account id alone.
pub struct UnitIdentification;

impl sp_runtime::traits::Convert<AccountId, Option<()>> for UnitIdentification {
    fn convert(_: AccountId) -> Option<()> {
        Some(())
    }
}

impl pallet_aura::Config for Runtime {
    type AuthorityId = AuraId;
    type DisabledValidators = ();
    type MaxAuthorities = ConstU32<MAX_HOSPITALS>;
    type AllowMultipleBlocksPerSlot = ConstBool<false>;
    type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type MaxAuthorities = ConstU32<MAX_HOSPITALS>;
    type MaxNominators = ConstU32<0>;
    type MaxSetIdSessionEntries = ConstU64<0>;
    type KeyOwnerProof = sp_core::Void;
    type EquivocationReportSystem = ();
}

/// Well-known nodes follow the hospitals pallet; a hospital may add connections for its own
/// extra nodes (e.g. an auditor's) with `add_connections`.
impl pallet_node_authorization::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type MaxWellKnownNodes = ConstU32<MAX_HOSPITALS>;
    type MaxPeerIdLength = ConstU32<128>;
    type AddOrigin = HospitalsMajority;
    type RemoveOrigin = HospitalsMajority;
    type SwapOrigin = HospitalsMajority;
    type ResetOrigin = HospitalsMajority;
    type WeightInfo = ();
}

/// The hospitals' council: its members are the registered hospitals, kept in sync by the
/// hospitals pallet.
pub type CouncilInstance = pallet_collective::Instance1;

impl pallet_collective::Config<CouncilInstance> for Runtime {
    type RuntimeOrigin = RuntimeOrigin;
    type Proposal = RuntimeCall;
    type RuntimeEvent = RuntimeEvent;
    type MotionDuration = ConstU32<{ 24 * 60 * 60 * 1_000 / MILLISECS_PER_BLOCK as u32 }>;
    type MaxProposals = ConstU32<64>;
    type MaxMembers = ConstU32<MAX_HOSPITALS>;
    type DefaultVote = pallet_collective::PrimeDefaultVote;
    type WeightInfo = ();
    type SetMembersOrigin = EnsureRoot<AccountId>;
    type MaxProposalWeight = CouncilMaxProposalWeight;
    type DisapproveOrigin = EnsureRoot<AccountId>;
    type KillOrigin = EnsureRoot<AccountId>;
    type Consideration = ();
}

impl pallet_sudo::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type WeightInfo = ();
}

/// Each call in a batch is dispatched with the signer's origin and checked as if sent alone;
/// only the pool admission (one transaction) is shared.
impl pallet_utility::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}
