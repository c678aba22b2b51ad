//! The `medchain_` JSON-RPC methods ([`medchain_rpc_api::MedchainApiServer`]).
//!
//! Every method first checks the caller's signed request (signature, freshness, replay), then
//! what the chain lets the caller do, at the best block. Refusals are JSON-RPC errors with a
//! code per kind and a message that says what is wrong; nothing a caller sends can panic the
//! node.

mod refusal;
mod results;

use refusal::{
    bad_request, cannot_decrypt, internal, needs_transformation_key, not_found, unauthorized,
    Served,
};

use super::{
    access::{self, Record},
    os_rng,
    replay::Replay,
    view, Services,
};
use codec::{Decode, Encode};
use jsonrpsee::core::{async_trait, RpcResult};
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
    AttributeKeyDelivery, AttributeKeyRequest, Audience, Challenge, Claimed, FetchPayload, Hit,
    MedchainApiServer, NodeIdentity, PreDecrypt, Request, Search, SignedRequest,
    TransformationKeyUpload, Upload, Uploaded,
};
use medchain_runtime::{
    pallet_hospitals::runtime_api::HospitalsApi,
    pallet_kgc::{runtime_api::KgcApi, KeyIssue},
    pallet_records::{self, runtime_api::RecordsApi},
    pallet_results::{self, AccessKind},
    AccountId, Hash, Runtime, RuntimeCall,
};
use medchain_types::access::{is_revoked, Refusal, Requester};
use medchain_types::{Epoch, RecordId};
use polkadot_sdk::{
    sc_client_api::StorageProvider,
    sp_api::ProvideRuntimeApi,
    sp_blockchain::HeaderBackend,
    sp_core::{storage::StorageKey, Bytes},
};
use std::sync::Arc;

/// A payload or report as the chain records it: what [`MedchainRpc::local_or_fetched`] looks
/// for.
struct Blob<'a> {
    /// Its SHA-256, its address.
    hash: &'a [u8; 32],
    /// Its size on-chain: no more is fetched.
    size: u64,
    /// What it is, for errors.
    what: &'static str,
}

/// The server of the `medchain_` methods.
pub struct MedchainRpc {
    services: Arc<Services>,
}

impl MedchainRpc {
    /// The methods over `services`.
    pub fn new(services: Arc<Services>) -> Self {
        Self { services }
    }

    /// This node, as requests name it: its hospital on its chain.
    fn audience(&self) -> Audience {
        Audience {
            genesis: self.services.client.info().genesis_hash,
            hospital: self.services.hospital.account.clone(),
        }
    }

    /// Checks a signed request for its body's method, that it is for this node, and that it was
    /// not served before.
    fn verify<T: Request>(&self, bytes: &Bytes) -> Served<SignedRequest<T>> {
        let now = super::unix_millis();
        let request = SignedRequest::<T>::verify(&bytes.0, now, &self.audience())
            .map_err(|e| bad_request(e.to_string()))?;
        self.services
            .replay
            .first_time(request.replay_id(), request.issued_at, now)
            .map_err(|refusal| match refusal {
                Replay::Busy => internal(refusal.to_string()),
                Replay::Served | Replay::BeforeStart => bad_request(refusal.to_string()),
            })?;
        Ok(request)
    }

    fn best(&self) -> Hash {
        self.services.client.info().best_hash
    }

    /// `who` must be a doctor of this hospital.
    fn ensure_own_doctor(&self, at: Hash, who: &AccountId) -> Served<()> {
        let hospital = self
            .services
            .client
            .runtime_api()
            .hospital_of(at, who.clone())
            .map_err(|e| internal(e.to_string()))?;
        if hospital.as_ref() != Some(&self.services.hospital.account) {
            return Err(unauthorized(format!(
                "{who} is not a doctor of this hospital"
            )));
        }
        Ok(())
    }

    /// The record `doctor` (of this hospital) asks for, if the access rule lets this hospital
    /// serve it to them: it holds the record, the holder authorises it now, or the doctor is
    /// assigned to it.
    fn accessible_record(&self, at: Hash, doctor: &AccountId, id: RecordId) -> Served<Record> {
        let record = self
            .services
            .client
            .runtime_api()
            .record(at, id)
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| not_found(format!("there is no record {id}")))?;
        let requester = Requester::Doctor {
            hospital: &self.services.hospital.account,
            doctor,
        };
        match access::may_serve(&self.services.client, at, id, &record, requester)? {
            Ok(_) => Ok(record),
            Err(Refusal::Withdrawn) => Err(not_found(format!(
                "record {id} was withdrawn by its hospital"
            ))),
            Err(Refusal::NotAuthorised) => Err(unauthorized(format!(
                "record {id}'s hospital does not authorise this hospital, and {doctor} is not \
                 assigned to it"
            ))),
        }
    }

    /// `doctor` must hold a leaf that is not revoked at the current epoch.
    fn ensure_not_revoked(&self, at: Hash, doctor: &AccountId) -> Served<()> {
        let api = self.services.client.runtime_api();
        let epoch = api.current_epoch(at).map_err(|e| internal(e.to_string()))?;
        match api
            .doctor_status(at, doctor.clone())
            .map_err(|e| internal(e.to_string()))?
        {
            Some((_, from)) if !is_revoked(from, epoch) => Ok(()),
            Some((_, from)) => Err(cannot_decrypt(format!(
                "{doctor} is revoked since epoch {}",
                from.unwrap_or_default()
            ))),
            None => Err(cannot_decrypt(format!(
                "{doctor} holds no key from the KGC"
            ))),
        }
    }

    /// The common start of a doctor's request about a record: the signed request checked, the
    /// signer one of this hospital's doctors, the record one it may serve them. The doctor, the
    /// block checked at, the record's id and the record.
    fn record_access<T: Request>(
        &self,
        request: &Bytes,
        record_of: impl FnOnce(&T) -> RecordId,
    ) -> Served<(AccountId, Hash, RecordId, Record)> {
        let request = self.verify::<T>(request)?;
        let doctor = request.signer;
        let at = self.best();
        self.ensure_own_doctor(at, &doctor)?;
        let id = record_of(&request.body);
        let record = self.accessible_record(at, &doctor, id)?;
        Ok((doctor, at, id, record))
    }

    /// `blob`, which `holder` holds: from this node's own store if that is this hospital,
    /// otherwise from its copies, first fetched from the holder's node if it is not there
    /// (no more than its on-chain size, and checked against its hash either way).
    async fn local_or_fetched(&self, holder: &AccountId, blob: Blob<'_>) -> Served<Vec<u8>> {
        let services = &self.services;
        let store = if *holder == services.hospital.account {
            &services.blobs
        } else {
            let copies = &services.copies;
            if !copies
                .contains(blob.hash)
                .map_err(|e| internal(e.to_string()))?
            {
                super::transfer::fetch_from(services, holder, blob.hash, blob.size).await?;
            }
            copies
        };
        store
            .get(blob.hash)
            .map_err(|e| internal(format!("the stored {} is unusable: {e}", blob.what)))
    }

    /// Submits `call` as the hospital; the transaction's hash.
    async fn submit(&self, call: RuntimeCall) -> Served<Bytes> {
        self.services
            .submitter
            .submit(call)
            .await
            .map(|hash| hash.as_bytes().to_vec().into())
            .map_err(Into::into)
    }

    /// Logs on-chain an access this node is about to serve. The answer waits until a block
    /// holds the entry: an access whose entry did not make it (this hospital's share of the
    /// block's log full, the transaction dropped) is refused, so that none goes unlogged.
    async fn log_access(
        &self,
        record: RecordId,
        doctor: AccountId,
        kind: AccessKind,
    ) -> Served<()> {
        let call = RuntimeCall::Results(pallet_results::Call::log_access {
            record,
            doctor,
            kind,
        });
        self.services
            .submitter
            .submit_included(call)
            .await
            .map(|_| ())
            .map_err(|e| {
                internal(format!(
                    "the access could not be logged, so it is not served: {e}"
                ))
            })
    }

    /// `doctor`'s transformation key of `epoch`, prepared for pairing: kept prepared since it
    /// was registered or last used, or prepared again from the stored key.
    fn prepared_key(
        &self,
        doctor: &AccountId,
        epoch: Epoch,
    ) -> Served<Arc<PreparedTransformationKey>> {
        let id = (doctor.clone(), epoch);
        if let Some(key) = self.services.prepared.get(&id)? {
            return Ok(key);
        }
        let key = self.services.transformation_keys.get(&id).ok_or_else(|| {
            needs_transformation_key(format!(
                "this hospital holds no transformation key of {doctor} for epoch {epoch}: derive one from the epoch's update key and register it"
            ))
        })?;
        let prepared = PreparedTransformationKey::new(&key).map_err(|e| {
            internal(format!(
                "{doctor}'s stored key of epoch {epoch} is unusable: {e}"
            ))
        })?;
        Ok(self.services.prepared.keep(id, prepared)?)
    }

    /// The attribute key the KGC issued to `doctor`, as recorded on-chain.
    fn key_issue(&self, at: Hash, doctor: &AccountId) -> Served<KeyIssue> {
        self.services
            .client
            .runtime_api()
            .key_issue(at, doctor.clone())
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| not_found(format!("the KGC has issued no attribute key to {doctor}")))
    }

    /// The KGC's account.
    fn kgc(&self, at: Hash) -> Served<Option<AccountId>> {
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

/// The methods' bodies, in the order of [`MedchainApiServer`].
impl MedchainRpc {
    async fn take_upload(&self, request: Bytes) -> Served<Uploaded> {
        let request = self.verify::<Upload>(&request)?;
        let upload = request.body;
        let at = self.best();
        SealedPayload::decode(&mut &upload.payload[..])
            .map_err(|e| bad_request(format!("the payload is not a sealed payload: {e}")))?;
        let shape = CapsuleShape::check(&upload.capsule)
            .map_err(|e| bad_request(format!("the capsule is malformed: {e}")))?;
        let epoch = self
            .services
            .client
            .runtime_api()
            .current_epoch(at)
            .map_err(|e| internal(e.to_string()))?;
        if shape.epoch != epoch {
            return Err(bad_request(format!(
                "the capsule is for epoch {}, the chain is at epoch {epoch}: encrypt again",
                shape.epoch
            )));
        }
        let me = &self.services.hospital;
        let key_epoch = self
            .services
            .client
            .runtime_api()
            .search_key_epoch(at, me.account.clone())
            .map_err(|e| internal(e.to_string()))?;
        let mut rng = os_rng()?;
        let index = build_index(
            &me.search_key(key_epoch),
            me.account.clone().into(),
            key_epoch,
            &upload.keywords,
            &mut rng,
        )
        .map_err(|e| bad_request(format!("the keywords cannot be indexed: {e}")))?;
        let payload_hash = self
            .services
            .blobs
            .put(&upload.payload)
            .map_err(|e| bad_request(format!("the payload cannot be stored: {e}")))?;
        let call = RuntimeCall::Records(pallet_records::Call::publish_record {
            index: index.encode(),
            capsule: upload.capsule,
            payload_hash,
            payload_size: upload.payload.len() as u64,
            patient_key: upload.patient_key,
        });
        // Answered once the record is in a block: a payload whose publication failed is not
        // kept (unless a record of this hospital already seals the same content).
        match self.services.submitter.submit_included(call).await {
            Ok(transaction) => Ok(Uploaded {
                hospital: me.account.clone(),
                payload_hash: payload_hash.to_vec().into(),
                transaction: transaction.as_bytes().to_vec().into(),
            }),
            Err(failure) if failure.is_final() => {
                if self.services.view.records_with_payload(&payload_hash).is_empty() {
                    self.services
                        .blobs
                        .delete(&payload_hash)
                        .map_err(|e| internal(e.to_string()))?;
                }
                Err(bad_request(format!(
                    "the record was not published, so its payload is not kept: {failure}"
                )))
            }
            Err(failure) => Err(internal(format!(
                "the record is submitted but not published yet ({failure}): see later whether it was"
            ))),
        }
    }

    async fn search_records(&self, request: Bytes) -> Served<Vec<Hit>> {
        let request = self.verify::<Search>(&request)?;
        self.ensure_own_doctor(self.best(), &request.signer)?;
        let trapdoor = Trapdoor::from_digests(request.body.interests)
            .map_err(|e| bad_request(format!("bad interests: {e}")))?;
        let hits = self.services.view.search(&trapdoor)?;
        Ok(hits
            .into_iter()
            .map(|hit| Hit {
                record: hit.record,
                hospital: hit.hospital.into(),
                matched: hit.matched,
            })
            .collect())
    }

    async fn pre_decrypt_for(&self, request: Bytes) -> Served<Bytes> {
        let (doctor, at, id, record) =
            self.record_access(&request, |body: &PreDecrypt| body.record)?;
        // The key is looked up first: a revoked doctor's client cannot make one for an epoch
        // from which they are revoked, so the cryptography refuses them before any check here.
        let key = self.prepared_key(&doctor, record.epoch)?;
        self.ensure_not_revoked(at, &doctor)?;
        let capsule = Capsule::decode(&mut &record.capsule[..])
            .map_err(|_| internal("the record's capsule does not decode"))?;
        let semi = abe::pre_decrypt(&key, &capsule)
            .map_err(|e| cannot_decrypt(format!("{doctor} cannot open record {id}: {e}")))?;
        self.log_access(id, doctor, AccessKind::PreDecryption)
            .await?;
        Ok(semi.encode().into())
    }

    async fn payload_for(&self, request: Bytes) -> Served<Bytes> {
        let (doctor, _, id, record) =
            self.record_access(&request, |body: &FetchPayload| body.record)?;
        let payload = self
            .local_or_fetched(
                &record.hospital,
                Blob {
                    hash: &record.payload_hash,
                    size: record.payload_size,
                    what: "payload",
                },
            )
            .await?;
        self.log_access(id, doctor, AccessKind::PayloadFetch)
            .await?;
        Ok(payload.into())
    }

    async fn keep_attribute_key(&self, request: Bytes) -> Served<()> {
        let request = self.verify::<AttributeKeyDelivery>(&request)?;
        let at = self.best();
        if self.kgc(at)?.as_ref() != Some(&request.signer) {
            return Err(unauthorized("only the KGC delivers attribute keys"));
        }
        let delivery = request.body;
        self.ensure_own_doctor(at, &delivery.doctor)?;
        SealedAttributeKey::decode(&mut &delivery.sealed[..])
            .map_err(|e| bad_request(format!("the sealed attribute key does not decode: {e}")))?;
        let issued = self.key_issue(at, &delivery.doctor)?;
        if sha256(&delivery.sealed) != issued.sealed_key_hash {
            return Err(bad_request(format!(
                "this is not the attribute key the KGC recorded for {} on-chain",
                delivery.doctor
            )));
        }
        self.services
            .blobs
            .put(&delivery.sealed)
            .map(|_| ())
            .map_err(|e| internal(format!("the sealed attribute key cannot be stored: {e}")))
    }

    async fn attribute_key_for(&self, request: Bytes) -> Served<Bytes> {
        let request = self.verify::<AttributeKeyRequest>(&request)?;
        let at = self.best();
        let doctor = request.signer;
        self.ensure_own_doctor(at, &doctor)?;
        let issued = self.key_issue(at, &doctor)?;
        let blobs = &self.services.blobs;
        if !blobs
            .contains(&issued.sealed_key_hash)
            .map_err(|e| internal(e.to_string()))?
        {
            return Err(not_found(format!(
                "the KGC has not delivered {doctor}'s attribute key to this hospital yet"
            )));
        }
        blobs
            .get(&issued.sealed_key_hash)
            .map(Bytes::from)
            .map_err(|e| internal(format!("the stored attribute key is unusable: {e}")))
    }

    async fn keep_transformation_key(&self, request: Bytes) -> Served<()> {
        let request = self.verify::<TransformationKeyUpload>(&request)?;
        let at = self.best();
        let doctor = request.signer;
        self.ensure_own_doctor(at, &doctor)?;
        let key = TransformationKey::decode(&mut &request.body.key[..])
            .map_err(|e| bad_request(format!("the transformation key does not decode: {e}")))?;
        let issued = self.key_issue(at, &doctor)?;
        if key.leaf != issued.leaf {
            return Err(bad_request(format!(
                "the key is for leaf {}, but {doctor} holds leaf {}",
                key.leaf, issued.leaf
            )));
        }
        let api = self.services.client.runtime_api();
        let update_key = api
            .update_key(at, key.epoch)
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| {
                bad_request(format!("epoch {} has no update key on-chain", key.epoch))
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
            return Err(bad_request(format!(
                "node {} is not where epoch {}'s update key covers {doctor}'s leaf",
                key.node, key.epoch
            )));
        }
        let prepared = PreparedTransformationKey::new(&key)
            .map_err(|e| bad_request(format!("the key is malformed: {e}")))?;
        let id = (doctor, key.epoch);
        self.services.transformation_keys.insert(id.clone(), key)?;
        self.services.prepared.keep(id, prepared)?;
        Ok(())
    }
}

/// The `medchain_` methods: each answers what its body serves, its refusal turned into the
/// JSON-RPC error of its kind here, once.
#[async_trait]
impl MedchainApiServer for MedchainRpc {
    async fn identify(&self, challenge: Bytes) -> RpcResult<NodeIdentity> {
        let challenge: Challenge = challenge.0[..]
            .try_into()
            .map_err(|_| bad_request("the challenge is not 32 bytes"))?;
        Ok(NodeIdentity::sign(
            self.services.hospital.pair(),
            self.services.client.info().genesis_hash,
            &challenge,
        ))
    }

    async fn upload_payload(&self, request: Bytes) -> RpcResult<Uploaded> {
        Ok(self.take_upload(request).await?)
    }

    async fn search(&self, request: Bytes) -> RpcResult<Vec<Hit>> {
        Ok(self.search_records(request).await?)
    }

    async fn pre_decrypt(&self, request: Bytes) -> RpcResult<Bytes> {
        Ok(self.pre_decrypt_for(request).await?)
    }

    async fn fetch_payload(&self, request: Bytes) -> RpcResult<Bytes> {
        Ok(self.payload_for(request).await?)
    }

    async fn deliver_attribute_key(&self, request: Bytes) -> RpcResult<()> {
        Ok(self.keep_attribute_key(request).await?)
    }

    async fn fetch_attribute_key(&self, request: Bytes) -> RpcResult<Bytes> {
        Ok(self.attribute_key_for(request).await?)
    }

    async fn register_transformation_key(&self, request: Bytes) -> RpcResult<()> {
        Ok(self.keep_transformation_key(request).await?)
    }

    async fn claim(&self, request: Bytes) -> RpcResult<Claimed> {
        Ok(self.claim_record(request).await?)
    }

    async fn store_report(&self, request: Bytes) -> RpcResult<Bytes> {
        Ok(self.keep_report(request).await?)
    }

    async fn fetch_report(&self, request: Bytes) -> RpcResult<Bytes> {
        Ok(self.serve_report(request).await?)
    }

    async fn dispute(&self, request: Bytes) -> RpcResult<Bytes> {
        Ok(self.file_dispute(request).await?)
    }
}
