//! Assembles the node: client, transaction pool, networking, Aura authoring, GRANDPA voting,
//! offchain workers (which apply node authorisation) and RPC.

use std::{sync::Arc, time::Duration};

use futures::FutureExt;
use medchain_runtime::{opaque::Block, RuntimeApi};
use polkadot_sdk::{
    sc_basic_authorship,
    sc_client_api::Backend,
    sc_consensus, sc_consensus_aura, sc_consensus_grandpa, sc_executor, sc_network, sc_offchain,
    sc_service::{
        self, error::Error as ServiceError, ChainType, Configuration, TaskManager, WarpSyncConfig,
    },
    sc_telemetry::{Telemetry, TelemetryWorker},
    sc_transaction_pool,
    sc_transaction_pool_api::OffchainTransactionPoolFactory,
    sp_consensus_aura::sr25519::AuthorityPair as AuraPair,
    sp_io, sp_runtime, sp_timestamp,
};
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;

pub(crate) type FullClient = sc_service::TFullClient<
    Block,
    RuntimeApi,
    sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>,
>;
pub type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport =
    sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type GrandpaLink = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;

/// Blocks between two GRANDPA justifications the node keeps. One: every block a GRANDPA round
/// finalises keeps its justification, so `grandpa_proveFinality` proves the last finalised block
/// and an auditor replaying the ledger finds no unproven tail. The cost is one justification
/// (about 100 bytes per validator) per round, which a hospitals' network of at most 32
/// validators affords.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 1;

/// The parts chain maintenance subcommands need, without networking or consensus tasks.
pub type Service = sc_service::PartialComponents<
    FullClient,
    FullBackend,
    FullSelectChain,
    sc_consensus::DefaultImportQueue<Block>,
    sc_transaction_pool::TransactionPoolHandle<Block, FullClient>,
    (GrandpaBlockImport, GrandpaLink, Option<Telemetry>),
>;

/// Client, database, transaction pool and a block import queue that checks Aura seals and
/// imports GRANDPA justifications.
pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
    let telemetry = config
        .telemetry_endpoints
        .clone()
        .filter(|endpoints| !endpoints.is_empty())
        .map(
            |endpoints| -> Result<_, polkadot_sdk::sc_telemetry::Error> {
                let worker = TelemetryWorker::new(16)?;
                let telemetry = worker.handle().new_telemetry(endpoints);
                Ok((worker, telemetry))
            },
        )
        .transpose()?;

    let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
    let (client, backend, keystore_container, task_manager) =
        sc_service::new_full_parts::<Block, RuntimeApi, _>(
            config,
            telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
            executor,
            Vec::new(),
        )?;
    let client = Arc::new(client);

    let telemetry = telemetry.map(|(worker, telemetry)| {
        task_manager
            .spawn_handle()
            .spawn("telemetry", None, worker.run());
        telemetry
    });

    let select_chain = sc_consensus::LongestChain::new(backend.clone());

    let transaction_pool = Arc::from(
        sc_transaction_pool::Builder::new(
            task_manager.spawn_essential_handle(),
            client.clone(),
            config.role.is_authority().into(),
        )
        .with_options(config.transaction_pool.clone())
        .with_prometheus(config.prometheus_registry())
        .build(),
    );

    let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
        client.clone(),
        GRANDPA_JUSTIFICATION_PERIOD,
        &client,
        select_chain.clone(),
        telemetry.as_ref().map(|x| x.handle()),
    )?;

    let cidp_client = client.clone();
    let import_queue = sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(
        ImportQueueParams {
            block_import: grandpa_block_import.clone(),
            justification_import: Some(Box::new(grandpa_block_import.clone())),
            client: client.clone(),
            create_inherent_data_providers: move |parent_hash, _| {
                let cidp_client = cidp_client.clone();
                async move {
                    let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
                        &*cidp_client,
                        parent_hash,
                    )?;
                    let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
                    let slot = polkadot_sdk::sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
                        *timestamp,
                        slot_duration,
                    );
                    Ok((slot, timestamp))
                }
            },
            spawner: &task_manager.spawn_essential_handle(),
            registry: config.prometheus_registry(),
            check_for_equivocation: Default::default(),
            telemetry: telemetry.as_ref().map(|x| x.handle()),
            compatibility_mode: Default::default(),
        },
    )?;

    Ok(sc_service::PartialComponents {
        client,
        backend,
        task_manager,
        import_queue,
        keystore_container,
        select_chain,
        transaction_pool,
        other: (grandpa_block_import, grandpa_link, telemetry),
    })
}

/// The development accounts' seeds (`--alice`, ...) are public: a node of a live network that
/// took one as its hospital's account and session keys would sign for anyone who read them.
/// They are for development and local test chains only.
fn refuse_public_seeds_on_a_live_chain(config: &Configuration) -> Result<(), ServiceError> {
    let chain_type = config.chain_spec.chain_type();
    match (&config.dev_key_seed, chain_type) {
        (Some(_), ChainType::Development | ChainType::Local) | (None, _) => Ok(()),
        (Some(seed), chain_type) => {
            let kind = match chain_type {
                ChainType::Custom(kind) => kind,
                _ => "live".to_owned(),
            };
            Err(ServiceError::Other(format!(
                "the development seed {seed} is public, and {} is a {kind} chain: give the node \
                 its hospital's own keys (`medchain-node key insert`) instead of --alice and the \
                 like",
                config.chain_spec.name()
            )))
        }
    }
}

/// The full node, over the network backend `N` (libp2p or litep2p, chosen on the command line).
pub fn new_full<
    N: sc_network::NetworkBackend<Block, <Block as sp_runtime::traits::Block>::Hash>,
>(
    config: Configuration,
    medchain: &crate::hospital::Options,
) -> Result<TaskManager, ServiceError> {
    refuse_public_seeds_on_a_live_chain(&config)?;
    let sc_service::PartialComponents {
        client,
        backend,
        mut task_manager,
        import_queue,
        keystore_container,
        select_chain,
        transaction_pool,
        other: (block_import, grandpa_link, mut telemetry),
    } = new_partial(&config)?;

    let mut net_config = sc_network::config::FullNetworkConfiguration::<
        Block,
        <Block as sp_runtime::traits::Block>::Hash,
        N,
    >::new(&config.network, config.prometheus_registry().cloned());
    let metrics = N::register_notification_metrics(config.prometheus_registry());

    let genesis_hash = client.chain_info().genesis_hash;
    let grandpa_protocol_name =
        sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
    let (grandpa_protocol_config, grandpa_notification_service) =
        sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
            grandpa_protocol_name.clone(),
            metrics.clone(),
            net_config.peer_store_handle(),
        );
    net_config.add_notification_protocol(grandpa_protocol_config);

    let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
        backend.clone(),
        grandpa_link.shared_authority_set().clone(),
        Vec::new(),
    ));

    // The hospital services, and the transfer protocol that serves their payloads to other
    // hospitals' nodes: registered before the network starts.
    let services = crate::hospital::Services::start(
        client.clone(),
        transaction_pool.clone(),
        &keystore_container.local_keystore(),
        config.dev_key_seed.as_deref(),
        config.base_path.path(),
        medchain,
        &task_manager,
    )
    .map_err(|e| ServiceError::Other(e.to_string()))?;
    if let Some(services) = &services {
        let (server, protocol) = medchain_transfer::PayloadServer::new::<Block, N>(
            services.blobs(),
            crate::hospital::TransferPolicy(services.clone()),
        );
        net_config.add_request_response_protocol(protocol);
        // Chunk reads are blocking disk I/O.
        task_manager
            .spawn_handle()
            .spawn_blocking("medchain-payload", None, server.run());
    }

    let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
        sc_service::build_network(sc_service::BuildNetworkParams {
            config: &config,
            net_config,
            client: client.clone(),
            transaction_pool: transaction_pool.clone(),
            spawn_handle: task_manager.spawn_handle(),
            spawn_essential_handle: task_manager.spawn_essential_handle(),
            import_queue,
            block_announce_validator_builder: None,
            warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
            block_relay: None,
            metrics,
            gap_sync_body_policy: None,
        })?;

    if let Some(services) = &services {
        services.attach_network(network.clone());
    }

    // Offchain workers apply node authorisation: each block, the runtime hands the node the set
    // of well-known (hospital) nodes, and the node then accepts only those as peers.
    if config.offchain_worker.enabled {
        let offchain_workers =
            sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
                runtime_api_provider: client.clone(),
                is_validator: config.role.is_authority(),
                keystore: Some(keystore_container.keystore()),
                offchain_db: backend.offchain_storage(),
                transaction_pool: Some(OffchainTransactionPoolFactory::new(
                    transaction_pool.clone(),
                )),
                network_provider: Arc::new(network.clone()),
                enable_http_requests: false,
                custom_extensions: |_| vec![],
            })?;
        task_manager.spawn_handle().spawn(
            "offchain-workers-runner",
            "offchain-worker",
            offchain_workers
                .run(client.clone(), task_manager.spawn_handle())
                .boxed(),
        );
    }

    let role = config.role;
    let force_authoring = config.force_authoring;
    let name = config.network.node_name.clone();
    let enable_grandpa = !config.disable_grandpa;
    let prometheus_registry = config.prometheus_registry().cloned();

    // GRANDPA's RPC serves finality proofs: an auditor replaying the chain through this node
    // checks the last finalised block against one.
    let shared_voter_state = SharedVoterState::empty();
    let grandpa_rpc = crate::rpc::GrandpaDeps {
        shared_authority_set: grandpa_link.shared_authority_set().clone(),
        shared_voter_state: shared_voter_state.clone(),
        justification_stream: grandpa_link.justification_stream(),
        finality_provider: sc_consensus_grandpa::FinalityProofProvider::new_for_service(
            backend.clone(),
            Some(grandpa_link.shared_authority_set().clone()),
        ),
    };
    let rpc_builder = {
        let client = client.clone();
        let pool = transaction_pool.clone();
        Box::new(move |subscription_executor| {
            let deps = crate::rpc::FullDeps {
                client: client.clone(),
                pool: pool.clone(),
                services: services.clone(),
                grandpa: grandpa_rpc.clone(),
            };
            crate::rpc::create_full(deps, subscription_executor).map_err(Into::into)
        })
    };

    sc_service::spawn_tasks(sc_service::SpawnTasksParams {
        network: Arc::new(network.clone()),
        client: client.clone(),
        keystore: keystore_container.keystore(),
        task_manager: &mut task_manager,
        transaction_pool: transaction_pool.clone(),
        rpc_builder,
        backend,
        system_rpc_tx,
        tx_handler_controller,
        sync_service: sync_service.clone(),
        config,
        telemetry: telemetry.as_mut(),
        tracing_execute_block: None,
    })?;

    if role.is_authority() {
        let proposer_factory = sc_basic_authorship::ProposerFactory::new(
            task_manager.spawn_handle(),
            client.clone(),
            transaction_pool.clone(),
            prometheus_registry.as_ref(),
            telemetry.as_ref().map(|x| x.handle()),
        );
        let slot_duration = sc_consensus_aura::slot_duration(&*client)?;

        let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
            StartAuraParams {
                slot_duration,
                client,
                select_chain,
                block_import,
                proposer_factory,
                create_inherent_data_providers: move |_, ()| async move {
                    let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
                    let slot = polkadot_sdk::sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
                        *timestamp,
                        slot_duration,
                    );
                    Ok((slot, timestamp))
                },
                force_authoring,
                backoff_authoring_blocks: Option::<()>::None,
                keystore: keystore_container.keystore(),
                sync_oracle: sync_service.clone(),
                justification_sync_link: sync_service.clone(),
                block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
                max_block_proposal_slot_portion: None,
                telemetry: telemetry.as_ref().map(|x| x.handle()),
                compatibility_mode: Default::default(),
            },
        )?;
        // Authoring is essential: if it fails, the node stops.
        task_manager
            .spawn_essential_handle()
            .spawn_blocking("aura", Some("block-authoring"), aura);
    }

    if enable_grandpa {
        // Only a validator votes, so only a validator needs the keystore.
        let keystore = role.is_authority().then(|| keystore_container.keystore());
        let grandpa_config = sc_consensus_grandpa::Config {
            gossip_duration: Duration::from_millis(333),
            justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
            name: Some(name),
            observer_enabled: false,
            keystore,
            local_role: role,
            telemetry: telemetry.as_ref().map(|x| x.handle()),
            protocol_name: grandpa_protocol_name,
        };
        let grandpa = sc_consensus_grandpa::GrandpaParams {
            config: grandpa_config,
            link: grandpa_link,
            network,
            sync: Arc::new(sync_service),
            notification_service: grandpa_notification_service,
            voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
            prometheus_registry,
            shared_voter_state,
            telemetry: telemetry.as_ref().map(|x| x.handle()),
            offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
        };
        // The voter is essential too: finality is what hospitals rely on.
        task_manager.spawn_essential_handle().spawn_blocking(
            "grandpa-voter",
            None,
            sc_consensus_grandpa::run_grandpa_voter(grandpa)?,
        );
    }

    Ok(task_manager)
}
