//! JSON-RPC methods beyond the standard Substrate ones the service installs.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use medchain_runtime::{opaque::Block, AccountId, Nonce};
use polkadot_sdk::{
    sc_transaction_pool_api::TransactionPool,
    sp_api::ProvideRuntimeApi,
    sp_block_builder::BlockBuilder,
    sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
    substrate_frame_rpc_system::{System, SystemApiServer},
};

/// What the RPC methods read from.
pub struct FullDeps<C, P> {
    pub client: Arc<C>,
    pub pool: Arc<P>,
    /// The hospital services, when this node serves a hospital.
    pub services: Option<Arc<crate::medchain::Services>>,
}

/// The node's extra RPC methods: `system_accountNextIndex` and `system_dryRun`, which wallets use
/// to sign transactions, and the hospital's `medchain_` methods.
pub fn create_full<C, P>(
    deps: FullDeps<C, P>,
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
    } = deps;
    module.merge(System::new(client, pool).into_rpc())?;
    if let Some(services) = services {
        use medchain_rpc_api::MedchainApiServer;
        module.merge(crate::medchain::MedchainRpc::new(services).into_rpc())?;
    }
    Ok(module)
}
