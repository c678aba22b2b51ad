//! The `medchain_` JSON-RPC methods ([`medchain_rpc_api::MedchainApiServer`]).
//!
//! Every method first checks the caller's signed request (signature, freshness, replay), then
//! what the chain lets the caller do, at the best block. Refusals are JSON-RPC errors with a
//! code per kind and a message that says what is wrong; nothing a caller sends can panic the
//! node.

mod results;

use super::{os_rng, view, Services};
use codec::{Decode, Encode};
use jsonrpsee::{
    core::{async_trait, RpcResult},
    types::ErrorObjectOwned,
};
use medchain_crypto::{
    abe::{
        self, Capsule, CapsuleShape, PreparedTransformationKey, SealedAttributeKey,
        TransformationKey, UpdateKeyNodes,
    },
    aead::SealedPayload,
    hash::sha256,
    index::{build_index, Trapdoor},
    tree::Tree,
};
use medchain_rpc_api::{
    AttributeKeyDelivery, AttributeKeyRequest, Claimed, Hit, MedchainApiServer, RecordRequest,
    Search, SignedRequest, TransformationKeyUpload, Upload, Uploaded, NEEDS_TRANSFORMATION_KEY,
};
use medchain_runtime::{
    pallet_hospitals::runtime_api::HospitalsApi,
    pallet_kgc::{runtime_api::KgcApi, KeyIssue},
    pallet_records::{self, runtime_api::RecordsApi},
    pallet_results::{self, AccessKind},
    AccountId, Hash, Runtime, RuntimeCall,
};
use polkadot_sdk::{
    sc_client_api::StorageProvider,
    sp_api::ProvideRuntimeApi,
    sp_blockchain::HeaderBackend,
    sp_core::{storage::StorageKey, Bytes},
};
use std::sync::Arc;

/// JSON-RPC error codes of the `medchain_` methods.
mod code {
    /// The request does not decode, is badly signed, stale or replayed.
    pub const BAD_REQUEST: i32 = 4000;
    /// The caller may not do this.
    pub const UNAUTHORIZED: i32 = 4001;
    /// No such record (or it was withdrawn).
    pub const NOT_FOUND: i32 = 4004;
    /// The doctor's key cannot open this record (revoked, or attributes short of the policy).
    pub const CANNOT_DECRYPT: i32 = 4003;
    /// The node failed (storage, chain state).
    pub const INTERNAL: i32 = 5000;
}

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

fn internal(message: impl Into<String>) -> ErrorObjectOwned {
    error(code::INTERNAL, message)
}

type Record = pallet_records::Record<Runtime>;

/// The server of the `medchain_` methods.
pub struct MedchainRpc {
    services: Arc<Services>,
}

impl MedchainRpc {
    /// The methods over `services`.
    pub fn new(services: Arc<Services>) -> Self {
        Self { services }
    }

    /// Checks a signed request for `method` and that it was not served before.
    fn verify<T: Encode + Decode>(
        &self,
        method: &str,
        bytes: &Bytes,
    ) -> RpcResult<SignedRequest<T>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| internal("the node's clock is before 1970"))?
            .as_millis() as u64;
        let request = SignedRequest::<T>::verify(&bytes.0, method, now)
            .map_err(|e| error(code::BAD_REQUEST, e.to_string()))?;
        if !self
            .services
            .replay
            .first_time(request.replay_id(), request.issued_at, now)
        {
            return Err(error(
                code::BAD_REQUEST,
                medchain_rpc_api::AuthError::Replayed.to_string(),
            ));
        }
        Ok(request)
    }

    fn best(&self) -> Hash {
        self.services.client.info().best_hash
    }

    /// `who` must be a doctor of this hospital.
    fn ensure_own_doctor(&self, at: Hash, who: &AccountId) -> RpcResult<()> {
        let hospital = self
            .services
            .client
            .runtime_api()
            .hospital_of(at, who.clone())
            .map_err(|e| internal(e.to_string()))?;
        if hospital.as_ref() != Some(&self.services.hospital.account) {
            return Err(error(
                code::UNAUTHORIZED,
                format!("{who} is not a doctor of this hospital"),
            ));
        }
        Ok(())
    }

    /// The record `doctor` (of this hospital) asks for, if this hospital may serve it to them:
    /// it holds the record, the holder authorises it now, or the doctor is assigned to it.
    fn accessible_record(&self, at: Hash, doctor: &AccountId, id: u64) -> RpcResult<Record> {
        let api = self.services.client.runtime_api();
        let record = api
            .record(at, id)
            .map_err(|e| internal(e.to_string()))?
            .filter(|r| !r.withdrawn)
            .ok_or_else(|| {
                error(
                    code::NOT_FOUND,
                    format!("no record {id} (or it was withdrawn)"),
                )
            })?;
        let me = &self.services.hospital.account;
        let authorised = record.hospital == *me
            || api
                .authorizers_of(at, me.clone())
                .map_err(|e| internal(e.to_string()))?
                .contains(&record.hospital);
        let assigned = view::assignment(&self.services, at, id)
            .map_err(internal)?
            .is_some_and(|claim| claim.doctor == *doctor);
        if !(authorised || assigned) {
            return Err(error(
                code::UNAUTHORIZED,
                format!(
                    "record {id}'s hospital does not authorise this hospital, and {doctor} is not assigned to it"
                ),
            ));
        }
        Ok(record)
    }

    /// `doctor` must hold a leaf that is not revoked at the current epoch.
    fn ensure_not_revoked(&self, at: Hash, doctor: &AccountId) -> RpcResult<()> {
        let api = self.services.client.runtime_api();
        let epoch = api.current_epoch(at).map_err(|e| internal(e.to_string()))?;
        match api
            .doctor_status(at, doctor.clone())
            .map_err(|e| internal(e.to_string()))?
        {
            Some((_, None)) => Ok(()),
            Some((_, Some(from))) if epoch < from => Ok(()),
            Some((_, Some(from))) => Err(error(
                code::CANNOT_DECRYPT,
                format!("{doctor} is revoked since epoch {from}"),
            )),
            None => Err(error(
                code::CANNOT_DECRYPT,
                format!("{doctor} holds no key from the KGC"),
            )),
        }
    }

    /// The common start of a doctor's request about a record: the signed request checked, the
    /// signer one of this hospital's doctors, the record one it may serve them. The doctor, the
    /// block checked at, the record's id and the record.
    fn record_access(
        &self,
        method: &str,
        request: &Bytes,
    ) -> RpcResult<(AccountId, Hash, u64, Record)> {
        let request = self.verify::<RecordRequest>(method, request)?;
        let doctor = request.signer;
        let at = self.best();
        self.ensure_own_doctor(at, &doctor)?;
        let id = request.body.record;
        let record = self.accessible_record(at, &doctor, id)?;
        Ok((doctor, at, id, record))
    }

    /// Blob `hash` from this node's store, first fetched from `holder`'s node if it is not here:
    /// checked against the hash either way.
    async fn local_or_fetched(
        &self,
        holder: &AccountId,
        hash: &[u8; 32],
        what: &str,
    ) -> RpcResult<Vec<u8>> {
        let blobs = &self.services.blobs;
        if !blobs.contains(hash).map_err(|e| internal(e.to_string()))? {
            super::transfer::fetch_from(&self.services, holder, hash)
                .await
                .map_err(|e| error(code::NOT_FOUND, e))?;
        }
        blobs
            .get(hash)
            .map_err(|e| internal(format!("the stored {what} is unusable: {e}")))
    }

    /// Submits `call` as the hospital; the transaction's hash.
    async fn submit(&self, call: RuntimeCall) -> RpcResult<Bytes> {
        self.services
            .submitter
            .submit(&self.services, call)
            .await
            .map(|hash| hash.as_bytes().to_vec().into())
            .map_err(internal)
    }

    /// Logs an access this node served on-chain.
    async fn log_access(&self, record: u64, doctor: AccountId, kind: AccessKind) -> RpcResult<()> {
        let call = RuntimeCall::Results(pallet_results::Call::log_access {
            record,
            doctor,
            kind,
        });
        self.services
            .submitter
            .submit(&self.services, call)
            .await
            .map(|_| ())
            .map_err(|e| {
                internal(format!(
                    "the access could not be logged, so it is not served: {e}"
                ))
            })
    }

    /// The attribute key the KGC issued to `doctor`, as recorded on-chain.
    fn key_issue(&self, at: Hash, doctor: &AccountId) -> RpcResult<KeyIssue> {
        self.services
            .client
            .runtime_api()
            .key_issue(at, doctor.clone())
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| {
                error(
                    code::NOT_FOUND,
                    format!("the KGC has issued no attribute key to {doctor}"),
                )
            })
    }

    /// The KGC's account.
    fn kgc(&self, at: Hash) -> RpcResult<Option<AccountId>> {
        let key =
            StorageKey(medchain_runtime::pallet_kgc::KgcAccount::<Runtime>::hashed_key().to_vec());
        let value = self
            .services
            .client
            .storage(at, &key)
            .map_err(|e| internal(e.to_string()))?;
        value
            .map(|bytes| AccountId::decode(&mut &bytes.0[..]).map_err(|e| internal(e.to_string())))
            .transpose()
    }
}

#[async_trait]
impl MedchainApiServer for MedchainRpc {
    async fn upload_payload(&self, request: Bytes) -> RpcResult<Uploaded> {
        let request = self.verify::<Upload>("uploadPayload", &request)?;
        let upload = request.body;
        let at = self.best();
        SealedPayload::decode(&mut &upload.payload[..]).map_err(|e| {
            error(
                code::BAD_REQUEST,
                format!("the payload is not a sealed payload: {e}"),
            )
        })?;
        let shape = CapsuleShape::check(&upload.capsule).map_err(|e| {
            error(
                code::BAD_REQUEST,
                format!("the capsule is malformed: {e:?}"),
            )
        })?;
        let epoch = self
            .services
            .client
            .runtime_api()
            .current_epoch(at)
            .map_err(|e| internal(e.to_string()))?;
        if shape.epoch != epoch {
            return Err(error(
                code::BAD_REQUEST,
                format!(
                    "the capsule is for epoch {}, the chain is at epoch {epoch}: encrypt again",
                    shape.epoch
                ),
            ));
        }
        let me = &self.services.hospital;
        let key_epoch = self
            .services
            .client
            .runtime_api()
            .search_key_epoch(at, me.account.clone())
            .map_err(|e| internal(e.to_string()))?;
        let mut rng = os_rng().map_err(internal)?;
        let index = build_index(
            &me.search_key(key_epoch),
            me.account.clone().into(),
            key_epoch,
            &upload.keywords,
            &mut rng,
        )
        .map_err(|e| {
            error(
                code::BAD_REQUEST,
                format!("the keywords cannot be indexed: {e:?}"),
            )
        })?;
        let payload_hash = self.services.blobs.put(&upload.payload).map_err(|e| {
            error(
                code::BAD_REQUEST,
                format!("the payload cannot be stored: {e}"),
            )
        })?;
        let call = RuntimeCall::Records(pallet_records::Call::publish_record {
            index: index.encode(),
            capsule: upload.capsule,
            payload_hash,
            payload_size: upload.payload.len() as u64,
            patient_key: upload.patient_key,
        });
        Ok(Uploaded {
            hospital: me.account.clone(),
            payload_hash: payload_hash.to_vec().into(),
            transaction: self.submit(call).await?,
        })
    }

    async fn search(&self, request: Bytes) -> RpcResult<Vec<Hit>> {
        let request = self.verify::<Search>("search", &request)?;
        self.ensure_own_doctor(self.best(), &request.signer)?;
        let trapdoor = Trapdoor::from_digests(request.body.interests)
            .map_err(|e| error(code::BAD_REQUEST, format!("bad interests: {e:?}")))?;
        let hits = self.services.view.search(&trapdoor).map_err(internal)?;
        Ok(hits
            .into_iter()
            .map(|hit| Hit {
                record: hit.record,
                hospital: hit.hospital.into(),
                matched: hit.matched,
            })
            .collect())
    }

    async fn pre_decrypt(&self, request: Bytes) -> RpcResult<Bytes> {
        let (doctor, at, id, record) = self.record_access("preDecrypt", &request)?;
        // The key is looked up first: a revoked doctor's client cannot make one for an epoch
        // from which they are revoked, so the cryptography refuses them before any check here.
        let key = self
            .services
            .transformation_keys
            .get(&(doctor.clone(), record.epoch))
            .ok_or_else(|| {
                error(
                    NEEDS_TRANSFORMATION_KEY,
                    format!(
                        "this hospital holds no transformation key of {doctor} for epoch {}: derive one from the epoch's update key and register it",
                        record.epoch
                    ),
                )
            })?;
        self.ensure_not_revoked(at, &doctor)?;
        let capsule = Capsule::decode(&mut &record.capsule[..])
            .map_err(|_| internal("the record's capsule does not decode"))?;
        let semi = PreparedTransformationKey::new(&key)
            .and_then(|key| abe::pre_decrypt(&key, &capsule))
            .map_err(|e| {
                error(
                    code::CANNOT_DECRYPT,
                    format!("{doctor} cannot open record {id}: {e}"),
                )
            })?;
        self.log_access(id, doctor, AccessKind::PreDecryption)
            .await?;
        Ok(semi.encode().into())
    }

    async fn fetch_payload(&self, request: Bytes) -> RpcResult<Bytes> {
        let (doctor, _, id, record) = self.record_access("fetchPayload", &request)?;
        let payload = self
            .local_or_fetched(&record.hospital, &record.payload_hash, "payload")
            .await?;
        self.log_access(id, doctor, AccessKind::PayloadFetch)
            .await?;
        Ok(payload.into())
    }

    async fn deliver_attribute_key(&self, request: Bytes) -> RpcResult<()> {
        let request = self.verify::<AttributeKeyDelivery>("deliverAttributeKey", &request)?;
        let at = self.best();
        if self.kgc(at)?.as_ref() != Some(&request.signer) {
            return Err(error(
                code::UNAUTHORIZED,
                "only the KGC delivers attribute keys",
            ));
        }
        let delivery = request.body;
        self.ensure_own_doctor(at, &delivery.doctor)?;
        SealedAttributeKey::decode(&mut &delivery.sealed[..]).map_err(|e| {
            error(
                code::BAD_REQUEST,
                format!("the sealed attribute key does not decode: {e}"),
            )
        })?;
        let issued = self.key_issue(at, &delivery.doctor)?;
        if sha256(&delivery.sealed) != issued.sealed_key_hash {
            return Err(error(
                code::BAD_REQUEST,
                format!(
                    "this is not the attribute key the KGC recorded for {} on-chain",
                    delivery.doctor
                ),
            ));
        }
        self.services
            .blobs
            .put(&delivery.sealed)
            .map(|_| ())
            .map_err(|e| internal(format!("the sealed attribute key cannot be stored: {e}")))
    }

    async fn fetch_attribute_key(&self, request: Bytes) -> RpcResult<Bytes> {
        let request = self.verify::<AttributeKeyRequest>("fetchAttributeKey", &request)?;
        let at = self.best();
        let doctor = request.signer;
        self.ensure_own_doctor(at, &doctor)?;
        let issued = self.key_issue(at, &doctor)?;
        let blobs = &self.services.blobs;
        if !blobs
            .contains(&issued.sealed_key_hash)
            .map_err(|e| internal(e.to_string()))?
        {
            return Err(error(
                code::NOT_FOUND,
                format!("the KGC has not delivered {doctor}'s attribute key to this hospital yet"),
            ));
        }
        blobs
            .get(&issued.sealed_key_hash)
            .map(Bytes::from)
            .map_err(|e| internal(format!("the stored attribute key is unusable: {e}")))
    }

    async fn register_transformation_key(&self, request: Bytes) -> RpcResult<()> {
        let request =
            self.verify::<TransformationKeyUpload>("registerTransformationKey", &request)?;
        let at = self.best();
        let doctor = request.signer;
        self.ensure_own_doctor(at, &doctor)?;
        let key = TransformationKey::decode(&mut &request.body.key[..]).map_err(|e| {
            error(
                code::BAD_REQUEST,
                format!("the transformation key does not decode: {e}"),
            )
        })?;
        let issued = self.key_issue(at, &doctor)?;
        if key.leaf != issued.leaf {
            return Err(error(
                code::BAD_REQUEST,
                format!(
                    "the key is for leaf {}, but {doctor} holds leaf {}",
                    key.leaf, issued.leaf
                ),
            ));
        }
        let api = self.services.client.runtime_api();
        let update_key = api
            .update_key(at, key.epoch)
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| {
                error(
                    code::BAD_REQUEST,
                    format!("epoch {} has no update key on-chain", key.epoch),
                )
            })?;
        let covered = UpdateKeyNodes::decode(&mut &update_key[..])
            .map_err(|_| internal("the chain's update key does not decode"))?;
        // The tree's depth is a plain storage value: no need to decode and subgroup-check the
        // whole of `pp` on every registration.
        let depth_key =
            StorageKey(medchain_runtime::pallet_kgc::TreeDepth::<Runtime>::hashed_key().to_vec());
        let on_path = self
            .services
            .client
            .storage(at, &depth_key)
            .map_err(|e| internal(e.to_string()))?
            .and_then(|bytes| u8::decode(&mut &bytes.0[..]).ok())
            .and_then(|depth| Tree::new(depth).ok())
            .and_then(|tree| tree.path(issued.leaf).ok())
            .ok_or_else(|| internal("the chain holds no revocation tree"))?
            .contains(&key.node);
        if !on_path || !covered.nodes.contains(&key.node) {
            return Err(error(
                code::BAD_REQUEST,
                format!(
                    "node {} is not where epoch {}'s update key covers {doctor}'s leaf",
                    key.node, key.epoch
                ),
            ));
        }
        PreparedTransformationKey::new(&key)
            .map_err(|e| error(code::BAD_REQUEST, format!("the key is malformed: {e}")))?;
        self.services
            .transformation_keys
            .insert((doctor, key.epoch), key)
            .map_err(internal)
    }

    async fn claim(&self, request: Bytes) -> RpcResult<Claimed> {
        self.claim_record(request).await
    }

    async fn store_report(&self, request: Bytes) -> RpcResult<Bytes> {
        self.keep_report(request).await
    }

    async fn fetch_report(&self, request: Bytes) -> RpcResult<Bytes> {
        self.serve_report(request).await
    }

    async fn dispute(&self, request: Bytes) -> RpcResult<Bytes> {
        self.file_dispute(request).await
    }
}
