//! The cryptography each role runs on its own machine, kept apart from the network so that it
//! is tested end to end offline: a patient seals a record (AES-GCM payload, ABE capsule, keyword
//! digests), a doctor opens the attribute key the KGC sealed to them, derives an epoch's
//! transformation key, finishes a pre-decryption and opens the record, a doctor seals a report
//! to the patient, and a patient discloses a report's key to dispute it.

use codec::{Decode, DecodeAll, Encode};
use medchain_crypto::{
    abe::{
        self, AttributeKey, Capsule, DoctorSecretKey, EncryptionTables, KeyTables, PublicParams,
        SealedAttributeKey, SemiCt, TransformationKey, UpdateKey,
    },
    aead::{self, SealedPayload},
    dleq, elgamal,
    hash::keyword_digest,
    CryptoRngCore,
};
use medchain_rpc_api::{DisputeRequest, Upload};
use medchain_types::{CompressedG1, Epoch, RecordId};

/// A cryptographic step refused its input.
#[derive(Debug, thiserror::Error)]
pub enum SealingError {
    /// The operation failed.
    #[error("{what}: {source}")]
    Crypto {
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        source: medchain_crypto::Error,
    },
    /// A value from the chain or a node does not decode.
    #[error("{what} does not decode: {reason}")]
    Decode {
        /// What was decoded.
        what: &'static str,
        /// The decoding error.
        reason: String,
    },
}

/// Decodes all of `bytes` as `T`.
pub fn decode<T: Decode>(what: &'static str, bytes: &[u8]) -> Result<T, SealingError> {
    T::decode_all(&mut &bytes[..]).map_err(|e| SealingError::Decode {
        what,
        reason: e.to_string(),
    })
}

fn crypto(what: &'static str) -> impl FnOnce(medchain_crypto::Error) -> SealingError {
    move |source| SealingError::Crypto { what, source }
}

/// A record as the patient's client seals it: the `uploadPayload` body, and the capsule and
/// sealed payload it holds.
pub struct SealedRecord {
    /// What the hospital receives.
    pub upload: Upload,
    /// `CT_Sym`.
    pub capsule: Capsule,
    /// `CT_HD`.
    pub sealed: SealedPayload,
}

/// Seals `plaintext` under `policy` for KGC `epoch`, with the digests of `keywords`, for the
/// patient whose encryption key is `patient_key` (reports will be sealed to it).
pub fn seal_record(
    pp: &PublicParams,
    (policy, epoch): (&str, Epoch),
    keywords: &[String],
    plaintext: &[u8],
    patient_key: CompressedG1,
    rng: &mut impl CryptoRngCore,
) -> Result<SealedRecord, SealingError> {
    let (capsule, payload_key) = abe::encapsulate(&EncryptionTables::new(pp), policy, epoch, rng)
        .map_err(crypto("the policy does not encrypt"))?;
    let sealed = aead::seal(&payload_key, &capsule, plaintext, rng)
        .map_err(crypto("the record does not seal"))?;
    let upload = Upload {
        payload: sealed.encode(),
        capsule: capsule.encode(),
        keywords: keywords.iter().map(|w| keyword_digest(w)).collect(),
        patient_key,
    };
    Ok(SealedRecord {
        upload,
        capsule,
        sealed,
    })
}

/// Opens the attribute key the KGC sealed to `doctor` (their account, 32 bytes) for this chain's
/// `pp` (`sealed`, SCALE-encoded, as the hospital's node relays it).
pub fn open_attribute_key(
    pp: &PublicParams,
    doctor: &[u8; 32],
    secret: &DoctorSecretKey,
    sealed: &[u8],
) -> Result<AttributeKey, SealingError> {
    let sealed: SealedAttributeKey = decode("the sealed attribute key", sealed)?;
    sealed.open(pp, doctor, secret).map_err(crypto(
        "the sealed attribute key does not open with this doctor's key",
    ))
}

/// `TKGen` from the chain's update key of its epoch (`update_key`, SCALE-encoded):
/// [`medchain_crypto::Error::Revoked`] inside [`SealingError::Crypto`] when the key covers none of
/// the doctor's tree nodes.
pub fn transformation_key(
    pp: &PublicParams,
    sk: &AttributeKey,
    secret: &DoctorSecretKey,
    update_key: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<TransformationKey, SealingError> {
    let update_key: UpdateKey = decode("the epoch's update key", update_key)?;
    abe::tk_gen(&KeyTables::new(pp), sk, &update_key, secret, rng)
        .map_err(crypto("no transformation key for this epoch"))
}

/// Finishes the hospital's pre-decryption `semi` with the doctor's secret and opens the payload
/// (`payload`, SCALE-encoded) that belongs to `capsule` (SCALE-encoded, from the chain).
pub fn open_record(
    secret: &DoctorSecretKey,
    semi: &[u8],
    capsule: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, SealingError> {
    let semi: SemiCt = decode("the pre-decrypted capsule", semi)?;
    let capsule: Capsule = decode("the record's capsule", capsule)?;
    let sealed: SealedPayload = decode("the sealed payload", payload)?;
    let key =
        abe::decrypt(secret, &capsule, &semi).map_err(crypto("the capsule does not decrypt"))?;
    aead::open(&key, &capsule, &sealed).map_err(crypto("the payload does not open"))
}

/// Seals `report` to the patient key a record names (compressed G1).
pub fn seal_report(
    patient_key: &CompressedG1,
    report: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<elgamal::Ciphertext, SealingError> {
    let key = elgamal::PublicKey::decompress(patient_key)
        .map_err(crypto("the record's patient key is not a key"))?;
    elgamal::seal(&key, report, rng).map_err(crypto("the report does not seal"))
}

/// Opens a sealed report (SCALE-encoded) with the patient's key.
pub fn open_report(key: &elgamal::SecretKey, sealed: &[u8]) -> Result<Vec<u8>, SealingError> {
    let ciphertext: elgamal::Ciphertext = decode("the sealed report", sealed)?;
    key.open(&ciphertext)
        .map_err(crypto("the report does not open with this patient's key"))
}

/// The `dispute` body for the report on `record`, sealed as `sealed` (SCALE-encoded): the shared
/// point with its proof, which anyone checks against the patient key and the report's ephemeral.
pub fn disclose(
    key: &elgamal::SecretKey,
    record: RecordId,
    sealed: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<DisputeRequest, SealingError> {
    let ciphertext: elgamal::Ciphertext = decode("the sealed report", sealed)?;
    let disclosure = dleq::disclose(key, &ciphertext, rng);
    let shared = disclosure.shared.compress();
    let mut proof = [0u8; 64];
    proof.copy_from_slice(&disclosure.proof.encode());
    Ok(DisputeRequest {
        record,
        shared,
        proof,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use medchain_crypto::encoding::G1Point;
    use medchain_crypto::{abe::PreparedTransformationKey, seeded_rng};
    use medchain_runtime::genesis::dev_kgc;
    use medchain_types::LeafIndex;

    const RECORD: &[u8] = b"ECG: atrial fibrillation, rate 132";
    const REPORT: &[u8] = b"Start anticoagulation; review in 2 weeks.";

    #[test]
    fn a_sealed_record_opens_for_a_doctor_whose_key_satisfies_the_policy() {
        let mut rng = seeded_rng(*b"medchain/cli/tests/seal-record!!");
        let (pp, msk) = dev_kgc::setup();
        let patient = elgamal::SecretKey::derive(b"a patient's account seed");
        let (doctor_secret, doctor_public) = abe::doctor_setup(&mut rng);
        let account = [7u8; 32];
        let keywords = vec!["Cardiology".to_owned(), "arrhythmia".to_owned()];
        let record = seal_record(
            &pp,
            ("cardiology and consultant", Epoch::new(0)),
            &keywords,
            RECORD,
            patient.public_key().compress(),
            &mut rng,
        )
        .expect("seals");
        assert_eq!(record.upload.keywords[0], keyword_digest("cardiology"));
        assert_eq!(record.upload.patient_key, patient.public_key().compress());

        // The KGC issues the doctor's key sealed to them and the epoch's update key; the doctor
        // opens the key and derives a transformation key; the hospital pre-decrypts with it.
        let tables = KeyTables::new(&pp);
        let update =
            abe::upd_keygen(&pp, &tables, &msk, Epoch::new(0), &[], &mut rng).expect("update key");
        let pre_decrypt = |attributes: &[&str], rng: &mut _| {
            let sk = abe::keygen(&pp, &tables, &msk, LeafIndex::new(0), attributes, rng)
                .expect("issues");
            let sealed =
                SealedAttributeKey::seal(&sk, &account, &doctor_public, rng).expect("seals");
            let sk = open_attribute_key(&pp, &account, &doctor_secret, &sealed.encode())
                .expect("the doctor opens their key");
            let tk = transformation_key(&pp, &sk, &doctor_secret, &update.encode(), rng)
                .expect("not revoked");
            abe::pre_decrypt(
                &PreparedTransformationKey::new(&tk).expect("prepared"),
                &record.capsule,
            )
        };
        let semi = pre_decrypt(&["cardiology", "consultant"], &mut rng).expect("satisfies");
        let opened = open_record(
            &doctor_secret,
            &semi.encode(),
            &record.upload.capsule,
            &record.upload.payload,
        )
        .expect("opens");
        assert_eq!(opened, RECORD);
        assert!(pre_decrypt(&["cardiology"], &mut rng).is_err());

        // Another doctor's secret does not finish this doctor's pre-decryption.
        let (other_secret, _) = abe::doctor_setup(&mut rng);
        assert!(matches!(
            open_record(
                &other_secret,
                &semi.encode(),
                &record.upload.capsule,
                &record.upload.payload
            ),
            Err(SealingError::Crypto { .. })
        ));
    }

    #[test]
    fn a_report_opens_for_the_patient_and_a_disclosure_verifies() {
        let mut rng = seeded_rng(*b"medchain/cli/tests/seal-report!!");
        let patient = elgamal::SecretKey::derive(b"a patient's account seed");
        let sealed = seal_report(&patient.public_key().compress(), REPORT, &mut rng)
            .expect("seals")
            .encode();
        assert_eq!(open_report(&patient, &sealed).expect("opens"), REPORT);
        let stranger = elgamal::SecretKey::derive(b"another patient's account seed");
        assert!(open_report(&stranger, &sealed).is_err());

        let dispute = disclose(&patient, RecordId::new(3), &sealed, &mut rng).expect("discloses");
        assert_eq!(dispute.record, RecordId::new(3));
        let ciphertext: elgamal::Ciphertext = decode("report", &sealed).expect("decodes");
        let disclosure = dleq::Disclosure {
            shared: G1Point::decompress(&dispute.shared).expect("G1"),
            proof: decode("proof", &dispute.proof).expect("proof"),
        };
        dleq::verify(&patient.public_key(), &ciphertext.ephemeral, &disclosure)
            .expect("the disclosure verifies against the patient's key");
        assert!(dleq::verify(&stranger.public_key(), &ciphertext.ephemeral, &disclosure).is_err());
        assert_eq!(
            elgamal::open_with_shared_point(&disclosure.shared.0, &ciphertext).expect("opens"),
            REPORT
        );
    }
}
