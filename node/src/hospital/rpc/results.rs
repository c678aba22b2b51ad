//! The consultation and results methods: a doctor claims a record in consultation, the assigned
//! doctor hands in a report, the patient reads it and may dispute it through the record's
//! holder. The node does on-chain what its hospital must sign (claims, disputes) and keeps the
//! sealed reports its doctors write.

use super::{
    refusal::{bad_request, internal, not_found, unauthorized, Served},
    Blob, MedchainRpc, Record,
};
use codec::Decode;
use medchain_crypto::{
    dleq::{self, Disclosure, Proof},
    elgamal::{self, PublicKey},
    encoding::G1Point,
    index::Trapdoor,
};
use medchain_rpc_api::{ClaimRequest, Claimed, DisputeRequest, FetchReport, ReportUpload};
use medchain_runtime::{
    pallet_records::{self, runtime_api::RecordsApi},
    pallet_results::{self, runtime_api::ResultsApi},
    Hash, Runtime, RuntimeCall,
};
use medchain_types::{RecordId, ReportId};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_core::Bytes};

type Report = pallet_results::Report<Runtime>;

impl MedchainRpc {
    /// `claim`: counts the doctor's interests in the record's index and claims it for them.
    pub(super) async fn claim_record(&self, request: Bytes) -> Served<Claimed> {
        let request = self.verify::<ClaimRequest>(&request)?;
        let doctor = request.signer;
        let at = self.best();
        self.ensure_own_doctor(at, &doctor)?;
        // The runtime takes claims only for doctors whose key is active.
        self.ensure_not_revoked(at, &doctor)?;
        let record = request.body.record;
        let trapdoor = Trapdoor::from_digests(request.body.interests)
            .map_err(|e| bad_request(format!("bad interests: {e}")))?;
        let consultation = self
            .services
            .client
            .runtime_api()
            .consultation(at, record)
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| {
                not_found(format!(
                    "no consultation is open on record {record}: its hospital opens one"
                ))
            })?;
        if consultation.closed {
            return Err(bad_request(format!(
                "record {record}'s consultation has closed"
            )));
        }
        let matched = self
            .services
            .view
            .matched(record, &trapdoor)?
            .ok_or_else(|| {
                unauthorized(format!(
                    "record {record} is not among the records this hospital may search"
                ))
            })?;
        if matched == 0 {
            return Err(bad_request(format!(
                "record {record}'s index holds none of these interests"
            )));
        }
        let call = RuntimeCall::Records(pallet_records::Call::submit_claim {
            record,
            doctor,
            matched,
        });
        let transaction = self.submit(call).await?;
        Ok(Claimed {
            matched,
            transaction,
        })
    }

    /// `storeReport`: keeps the sealed report of the doctor assigned to the record.
    pub(super) async fn keep_report(&self, request: Bytes) -> Served<Bytes> {
        let request = self.verify::<ReportUpload>(&request)?;
        let doctor = request.signer;
        let at = self.best();
        self.ensure_own_doctor(at, &doctor)?;
        let record = request.body.record;
        let assigned = super::view::assignment(&self.services.client, at, record)?
            .is_some_and(|claim| claim.doctor == doctor);
        if !assigned {
            return Err(unauthorized(format!(
                "{doctor} is not the doctor assigned to record {record}"
            )));
        }
        elgamal::Ciphertext::decode(&mut &request.body.sealed[..])
            .map_err(|e| bad_request(format!("the report is not sealed to a key: {e}")))?;
        let hash = self
            .services
            .blobs
            .put(&request.body.sealed)
            .map_err(|e| bad_request(format!("the report cannot be stored: {e}")))?;
        Ok(hash.to_vec().into())
    }

    /// `fetchReport`: the sealed report on one of this hospital's records, fetched from the
    /// doctor's hospital's node if it is not here yet.
    pub(super) async fn serve_report(&self, request: Bytes) -> Served<Bytes> {
        let request = self.verify::<FetchReport>(&request)?;
        let at = self.best();
        let (_, report) = self.report_on_own_record(at, request.body.record)?;
        let blob = Blob {
            hash: &report.payload_hash,
            size: report.payload_size,
            what: "report",
        };
        self.local_or_fetched(&report.hospital, blob)
            .await
            .map(Bytes::from)
    }

    /// `dispute`: checks the patient's proof, then files it as the record's holder.
    pub(super) async fn file_dispute(&self, request: Bytes) -> Served<Bytes> {
        let request = self.verify::<DisputeRequest>(&request)?;
        let at = self.best();
        let body = request.body;
        let (report_id, report) = self.report_on_own_record(at, body.record)?;
        let point = |compressed, what: &str| {
            G1Point::decompress(compressed)
                .map_err(|_| bad_request(format!("{what} is not a G1 point")))
        };
        let disclosure = Disclosure {
            shared: point(&body.shared, "the disclosed point")?,
            proof: Proof::decode(&mut &body.proof[..])
                .map_err(|_| bad_request("the proof does not decode"))?,
        };
        let patient = PublicKey::decompress(&report.patient_key)
            .map_err(|_| bad_request("the patient's key is not a valid key"))?;
        let ephemeral = point(&report.ephemeral, "the report's ephemeral key")?;
        dleq::verify(&patient, &ephemeral, &disclosure).map_err(|_| {
            bad_request(
                "the proof does not hold for the patient's key: only the patient can dispute",
            )
        })?;
        let call = RuntimeCall::Results(pallet_results::Call::dispute {
            report: report_id,
            shared: body.shared,
            proof: body.proof,
        });
        self.submit(call).await
    }

    /// The report on `record`, which this hospital must hold.
    fn report_on_own_record(&self, at: Hash, record: RecordId) -> Served<(ReportId, Report)> {
        let api = self.services.client.runtime_api();
        let held: Record = api
            .record(at, record)
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| not_found(format!("no record {record}")))?;
        if held.hospital != self.services.hospital.account {
            return Err(unauthorized(format!(
                "record {record} is held by {}: ask that hospital's node",
                held.hospital
            )));
        }
        api.report_on(at, record)
            .map_err(|e| internal(e.to_string()))?
            .ok_or_else(|| not_found(format!("no report on record {record} yet")))
    }
}
