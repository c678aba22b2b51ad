//! JSON-RPC methods beyond the standard Substrate ones the service installs.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use medchain_runtime::{opaque::Block, AccountId, Nonce};
use polkadot_sdk::{
    sc_consensus_grandpa::{
        FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
    },
    sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer},
    sc_rpc::SubscriptionTaskExecutor,
    sc_transaction_pool_api::TransactionPool,
    sp_api::ProvideRuntimeApi,
    sp_block_builder::BlockBuilder,
    sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
    substrate_frame_rpc_system::{System, SystemApiServer},
};

/// What GRANDPA's RPC methods read from.
#[derive(Clone)]
pub struct GrandpaDeps {
    pub shared_authority_set:
        SharedAuthoritySet<medchain_runtime::Hash, medchain_runtime::BlockNumber>,
    pub shared_voter_state: SharedVoterState,
    pub justification_stream: GrandpaJustificationStream<Block>,
    pub finality_provider: Arc<FinalityProofProvider<crate::service::FullBackend, Block>>,
}

/// What the RPC methods read from.
pub struct FullDeps<C, P> {
    pub client: Arc<C>,
    pub pool: Arc<P>,
    /// The hospital services, when this node serves a hospital.
    pub services: Option<Arc<crate::hospital::Services>>,
    /// GRANDPA's state, for finality proofs.
    pub grandpa: GrandpaDeps,
}

/// The node's extra RPC methods: `system_accountNextIndex` and `system_dryRun`, which wallets use
/// to sign transactions, GRANDPA's (`grandpa_proveFinality` for auditors), and the hospital's
/// `medchain_` methods.
pub fn create_full<C, P>(
    deps: FullDeps<C, P>,
    subscription_executor: SubscriptionTaskExecutor,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
    C: ProvideRuntimeApi<Block>
        + HeaderBackend<Block>
        + HeaderMetadata<Block, Error = BlockChainError>
        + Send
        + Sync
        + 'static,
    C::Api: polkadot_sdk::frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce>,
    C::Api: BlockBuilder<Block>,
    P: TransactionPool + 'static,
{
    let mut module = RpcModule::new(());
    let FullDeps {
        client,
        pool,
        services,
        grandpa,
    } = deps;
    module.merge(System::new(client, pool).into_rpc())?;
    module.merge(
        Grandpa::new(
            subscription_executor,
            grandpa.shared_authority_set,
            grandpa.shared_voter_state,
            grandpa.justification_stream,
            grandpa.finality_provider,
        )
        .into_rpc(),
    )?;
    if let Some(services) = services {
        use medchain_rpc_api::MedchainApiServer;
        module.merge(crate::hospital::MedchainRpc::new(services).into_rpc())?;
    }
    Ok(module)
}
