//! Where patients' and doctors' clients take the public parameters `pp` from: the chain spec
//! they were given, never a node's answer.
//!
//! `pp` is genesis state, fixed by the chain spec (and so by the genesis hash). A hospital's node
//! that handed its patients a `pp` whose `alpha` it knew would read every record they encrypt
//! and could re-encrypt it under the real `pp` unnoticed. So the client reads `pp` from the spec
//! file (`--chain-spec`), decodes it with the checks that refuse degenerate parameters, and
//! refuses a node whose chain holds another `pp`. Without `--chain-spec` it uses the development
//! networks' `pp` built into this program (`--chain dev` and `--chain local`).

use std::path::Path;

use codec::DecodeAll;
use medchain_crypto::abe::PublicParams;
use medchain_runtime::{genesis::dev_kgc, pallet_kgc, Runtime};
use serde_json::Value;

use crate::{chain::Chain, error::CommandError, kgc, text};

/// The `pp` this client trusts: from `spec` (a chain spec file, plain or raw), or the built-in
/// development parameters; checked against what `chain` holds.
pub async fn public_params(
    spec: Option<&Path>,
    chain: &Chain,
) -> Result<PublicParams, CommandError> {
    let trusted = match spec {
        Some(path) => from_chain_spec(path)?,
        None => dev_kgc::setup().0,
    };
    let served = kgc::chain_params(chain).await?;
    if served.as_ref() != Some(&trusted) {
        let source = spec.map_or_else(
            || "the development networks' built into this program (pass --chain-spec for another network)".to_owned(),
            |path| format!("your chain spec {}", path.display()),
        );
        return Err(CommandError::Refused(format!(
            "the node's chain does not hold the public parameters of {source}: it serves another chain, or it is lying; nothing is encrypted or decrypted with it"
        )));
    }
    Ok(trusted)
}

/// `pp` from the chain spec at `path`: its `kgc.params` genesis field, or in a raw spec the
/// `Kgc.Params` storage value.
pub fn from_chain_spec(path: &Path) -> Result<PublicParams, CommandError> {
    let refused = |why: String| {
        CommandError::Refused(format!(
            "{} is not a usable MedChain chain spec: {why}",
            path.display()
        ))
    };
    let bytes = std::fs::read(path).map_err(|source| CommandError::Read {
        path: path.to_owned(),
        source,
    })?;
    let spec: Value = serde_json::from_slice(&bytes).map_err(|e| refused(e.to_string()))?;
    let genesis = &spec["genesis"];
    let encoded = if let Some(top) = genesis["raw"]["top"].as_object() {
        let key = format!(
            "0x{}",
            hex::encode(pallet_kgc::Params::<Runtime>::hashed_key())
        );
        let value = top
            .get(&key)
            .and_then(Value::as_str)
            .ok_or_else(|| refused("its raw genesis holds no Kgc.Params".to_owned()))?;
        let stored = text::parse_hex(value).map_err(|e| refused(e.to_string()))?;
        Vec::<u8>::decode_all(&mut &stored[..]).map_err(|e| refused(e.to_string()))?
    } else {
        let runtime = &genesis["runtimeGenesis"];
        let field = [
            &runtime["patch"]["kgc"]["params"],
            &runtime["config"]["kgc"]["params"],
        ]
        .into_iter()
        .find(|v| !v.is_null())
        .ok_or_else(|| refused("its genesis names no kgc.params".to_owned()))?;
        serde_json::from_value::<Vec<u8>>(field.clone()).map_err(|e| refused(e.to_string()))?
    };
    PublicParams::decode_all(&mut &encoded[..])
        .map_err(|e| refused(format!("its public parameters are refused: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;

    fn spec_file(dir: &Path, genesis: Value) -> std::path::PathBuf {
        let path = dir.join("spec.json");
        std::fs::write(&path, serde_json::json!({ "genesis": genesis }).to_string())
            .expect("writes");
        path
    }

    #[test]
    fn the_local_networks_chain_spec_holds_the_development_parameters() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local-4-hospitals.json");
        assert_eq!(from_chain_spec(&path).expect("reads"), dev_kgc::setup().0);
    }

    #[test]
    fn raw_and_plain_specs_are_read_and_degenerate_parameters_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pp = dev_kgc::setup().0;
        let key = format!(
            "0x{}",
            hex::encode(pallet_kgc::Params::<Runtime>::hashed_key())
        );
        let raw = spec_file(
            dir.path(),
            serde_json::json!({ "raw": { "top": { key.clone(): text::hex(&pp.encode().encode()) } } }),
        );
        assert_eq!(from_chain_spec(&raw).expect("raw"), pp);

        let mut degenerate = pp.clone();
        degenerate.g1 = Default::default();
        let plain = spec_file(
            dir.path(),
            serde_json::json!({ "runtimeGenesis": { "patch": { "kgc": { "params": degenerate.encode() } } } }),
        );
        let refused = from_chain_spec(&plain).expect_err("refused").to_string();
        assert!(refused.contains("refused"), "{refused}");
    }
}
