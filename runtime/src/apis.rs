//! The runtime APIs the node calls.

use crate::{
    genesis, AccountId, Aura, Block, BlockNumber, Executive, Grandpa, Hospitals, InherentDataExt,
    Kgc, Nonce, Records, Results, Runtime, RuntimeGenesisConfig, SessionKeys, System, VERSION,
};
use alloc::vec::Vec;
use medchain_types::{CompressedG1, Epoch, KeyEpoch, LeafIndex, RecordId, ReportId};
use polkadot_sdk::*;

use frame_support::genesis_builder_helper::{build_state, get_preset};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
    traits::{Block as BlockT, NumberFor},
    transaction_validity::{TransactionSource, TransactionValidity},
    ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

type Record = pallet_records::Record<Runtime>;
type Consultation = pallet_records::Consultation<Runtime>;
type Report = pallet_results::Report<Runtime>;

sp_api::impl_runtime_apis! {
    impl sp_api::Core<Block> for Runtime {
        fn version() -> RuntimeVersion {
            VERSION
        }

        fn execute_block(block: <Block as BlockT>::LazyBlock) {
            Executive::execute_block(block);
        }

        fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
            Executive::initialize_block(header)
        }
    }

    impl sp_api::Metadata<Block> for Runtime {
        fn metadata() -> OpaqueMetadata {
            OpaqueMetadata::new(Runtime::metadata().into())
        }

        fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
            Runtime::metadata_at_version(version)
        }

        fn metadata_versions() -> Vec<u32> {
            Runtime::metadata_versions()
        }
    }

    impl sp_block_builder::BlockBuilder<Block> for Runtime {
        fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
            Executive::apply_extrinsic(extrinsic)
        }

        fn finalize_block() -> <Block as BlockT>::Header {
            Executive::finalize_block()
        }

        fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
            data.create_extrinsics()
        }

        fn check_inherents(
            block: <Block as BlockT>::LazyBlock,
            data: sp_inherents::InherentData,
        ) -> sp_inherents::CheckInherentsResult {
            data.check_extrinsics(&block)
        }
    }

    impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
        fn validate_transaction(
            source: TransactionSource,
            tx: <Block as BlockT>::Extrinsic,
            block_hash: <Block as BlockT>::Hash,
        ) -> TransactionValidity {
            Executive::validate_transaction(source, tx, block_hash)
        }
    }

    impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
        fn offchain_worker(header: &<Block as BlockT>::Header) {
            Executive::offchain_worker(header)
        }
    }

    impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
        fn slot_duration() -> sp_consensus_aura::SlotDuration {
            sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
        }

        fn authorities() -> Vec<AuraId> {
            pallet_aura::Authorities::<Runtime>::get().into_inner()
        }
    }

    impl sp_session::SessionKeys<Block> for Runtime {
        fn generate_session_keys(
            owner: Vec<u8>,
            seed: Option<Vec<u8>>,
        ) -> sp_session::OpaqueGeneratedSessionKeys {
            SessionKeys::generate(&owner, seed).into()
        }

        fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
            SessionKeys::decode_into_raw_public_keys(&encoded)
        }
    }

    impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
        fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
            Grandpa::grandpa_authorities()
        }

        fn current_set_id() -> sp_consensus_grandpa::SetId {
            Grandpa::current_set_id()
        }

        fn submit_report_equivocation_unsigned_extrinsic(
            _equivocation_proof: sp_consensus_grandpa::EquivocationProof<
                <Block as BlockT>::Hash,
                NumberFor<Block>,
            >,
            _key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
        ) -> Option<()> {
            // Equivocations are not reported on chain: there is no stake to slash, and a
            // misbehaving hospital is removed by its peers' vote.
            None
        }

        fn generate_key_ownership_proof(
            _set_id: sp_consensus_grandpa::SetId,
            _authority_id: GrandpaId,
        ) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
            None
        }
    }

    impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
        fn account_nonce(account: AccountId) -> Nonce {
            System::account_nonce(account)
        }
    }

    impl pallet_hospitals::runtime_api::HospitalsApi<Block, AccountId, BlockNumber> for Runtime {
        fn authorizers_of(hospital: AccountId) -> Vec<AccountId> {
            Hospitals::authorizers_of(&hospital)
        }

        fn is_doctor_of(doctor: AccountId, hospital: AccountId) -> bool {
            Hospitals::is_doctor_of(&doctor, &hospital)
        }

        fn hospital_of(doctor: AccountId) -> Option<AccountId> {
            Hospitals::hospital_of(&doctor)
        }

        fn contact(hospital: AccountId) -> Option<(Vec<u8>, CompressedG1)> {
            Hospitals::contact(&hospital)
        }

        fn owner_of_peer(peer_id: Vec<u8>) -> Option<AccountId> {
            Hospitals::owner_of_peer(&peer_id)
        }

        fn sealed_search_key(from: AccountId, to: AccountId) -> Option<Vec<u8>> {
            Hospitals::sealed_search_key(&from, &to)
        }

        fn grants_by(from: AccountId) -> Vec<(AccountId, BlockNumber, KeyEpoch)> {
            Hospitals::grants_by(&from)
        }

        fn search_key_epoch(hospital: AccountId) -> KeyEpoch {
            Hospitals::search_key_epoch(&hospital)
        }

        fn is_member(who: AccountId) -> bool {
            Hospitals::is_member(&who)
        }
    }

    #[api_version(2)]
    impl pallet_kgc::runtime_api::KgcApi<Block, AccountId> for Runtime {
        fn params() -> Vec<u8> {
            Kgc::params()
        }

        fn current_epoch() -> Epoch {
            pallet_kgc::CurrentEpoch::<Runtime>::get()
        }

        fn update_key(epoch: Epoch) -> Option<Vec<u8>> {
            Kgc::update_key(epoch)
        }

        fn doctor_status(doctor: AccountId) -> Option<(LeafIndex, Option<Epoch>)> {
            Kgc::doctor_status(&doctor)
        }

        fn encryption_key(doctor: AccountId) -> Option<CompressedG1> {
            Kgc::encryption_key(&doctor)
        }

        fn key_issue(doctor: AccountId) -> Option<pallet_kgc::KeyIssue> {
            Kgc::key_issue(&doctor)
        }
    }

    impl pallet_records::runtime_api::RecordsApi<Block, AccountId, Record, Consultation> for Runtime {
        fn records_of(hospital: AccountId, start: u64, limit: u32) -> Vec<(RecordId, Record)> {
            Records::records_of(&hospital, start, limit)
        }

        fn record(id: RecordId) -> Option<Record> {
            pallet_records::Records::<Runtime>::get(id)
        }

        fn consultation(record: RecordId) -> Option<Consultation> {
            pallet_records::Consultations::<Runtime>::get(record)
        }
    }

    impl pallet_results::runtime_api::ResultsApi<Block, Report> for Runtime {
        fn report_on(record: RecordId) -> Option<(ReportId, Report)> {
            Results::report_on(record)
        }

        fn report_by_payload(payload_hash: [u8; 32]) -> Option<(ReportId, Report)> {
            Results::report_by_payload(&payload_hash)
        }

        fn disclosure(report: ReportId) -> Option<CompressedG1> {
            Results::disclosure(report)
        }
    }

    #[cfg(feature = "runtime-benchmarks")]
    impl frame_benchmarking::Benchmark<Block> for Runtime {
        fn benchmark_metadata(extra: bool) -> (
            Vec<frame_benchmarking::BenchmarkList>,
            Vec<frame_support::traits::StorageInfo>,
        ) {
            use frame_benchmarking::BenchmarkList;
            use frame_support::traits::StorageInfoTrait;

            let mut list = Vec::<BenchmarkList>::new();
            list_benchmarks!(list, extra);
            (list, crate::AllPalletsWithSystem::storage_info())
        }

        fn dispatch_benchmark(
            config: frame_benchmarking::BenchmarkConfig,
        ) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
            use frame_benchmarking::BenchmarkBatch;
            use frame_support::traits::WhitelistedStorageKeys;

            let whitelist = crate::AllPalletsWithSystem::whitelisted_storage_keys();
            let mut batches = Vec::<BenchmarkBatch>::new();
            let params = (&config, &whitelist);
            add_benchmarks!(params, batches);
            Ok(batches)
        }
    }

    impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
        fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
            build_state::<RuntimeGenesisConfig>(config)
        }

        fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
            get_preset::<RuntimeGenesisConfig>(id, genesis::get_preset)
        }

        fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
            genesis::preset_names()
        }
    }
}
