//! The client's transactions and waits, shown to the person running the command: a spinner
//! says what is awaited while [`medchain_client`] signs, submits and waits for finality.

use std::future::Future;

use medchain_client::{
    chain::{Chain, ChainError},
    submit::{self, Included, SubmitError},
};
use medchain_runtime::{Hash, RuntimeCall};
use polkadot_sdk::sp_core::sr25519;

use crate::output::Output;

pub use medchain_client::submit::events_of;

/// Signs `call` with `signer`, submits it through `chain`'s node and waits until it is final,
/// with a spinner; its events on success.
pub async fn submit(
    chain: &Chain,
    signer: &sr25519::Pair,
    call: RuntimeCall,
    output: Output,
) -> Result<Included, SubmitError> {
    let spinner = output.spinner("waiting for the transaction to be final");
    let included = submit::submit(chain, signer, call).await;
    spinner.finish_and_clear();
    included
}

/// [`Chain::wait_final`] with a spinner saying `what`.
pub async fn wait_final<T, F, Fut>(
    chain: &Chain,
    output: Output,
    what: &str,
    hint: &str,
    probe: F,
) -> Result<T, ChainError>
where
    F: FnMut(Hash) -> Fut,
    Fut: Future<Output = Result<Option<T>, ChainError>>,
{
    let spinner = output.spinner(&format!("waiting for {what}"));
    let found = chain.wait_final(what, hint, probe).await;
    spinner.finish_and_clear();
    found
}
