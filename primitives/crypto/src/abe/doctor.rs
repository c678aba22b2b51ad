//! `DoctorSetup`: what a doctor creates on their own device and never lets go of.

use codec::{Decode, Encode};
use core::fmt;
use medchain_types::Epoch;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{
    elgamal,
    hash::{hash_to_scalar, DOMAIN_TRANSFORM},
    CryptoRngCore, Fr,
};

/// The doctor's secrets: `x_D`, which opens the attribute key `SK` the KGC seals to `pk_D`, and
/// `zseed`, from which every epoch's transformation exponent `z_T` is derived. Zeroised on drop,
/// never printed, compared in constant time.
#[derive(Clone, Encode, Decode, Zeroize, ZeroizeOnDrop)]
pub struct DoctorSecretKey {
    decryption: elgamal::SecretKey,
    zseed: [u8; 32],
}

impl fmt::Debug for DoctorSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DoctorSecretKey(<redacted>)")
    }
}

impl subtle::ConstantTimeEq for DoctorSecretKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        crate::encoding::ct_eq_encoded(self, other)
    }
}

impl DoctorSecretKey {
    /// `pk_D = g1^x_D`: the key the doctor registers on-chain, signed with their account key.
    pub fn public_key(&self) -> elgamal::PublicKey {
        self.decryption.public_key()
    }

    /// `x_D`, which opens the sealed attribute key.
    pub(crate) fn decryption_key(&self) -> &elgamal::SecretKey {
        &self.decryption
    }

    /// `z_T = Hz("medchain/tk", zseed || T)`, retried with a counter appended on the
    /// (negligible) chance of 0, which has no inverse.
    pub(crate) fn transform_exponent(&self, epoch: Epoch) -> Fr {
        let mut input = [0u8; 41];
        input[..32].copy_from_slice(&self.zseed);
        input[32..40].copy_from_slice(&epoch.get().to_le_bytes());
        let mut z = hash_to_scalar(DOMAIN_TRANSFORM, &input[..40]);
        let mut counter = 0u8;
        while z == Fr::from(0u64) {
            input[40] = counter;
            z = hash_to_scalar(DOMAIN_TRANSFORM, &input);
            counter = counter.wrapping_add(1);
        }
        input.zeroize();
        z
    }
}

/// `DoctorSetup()`: a fresh `x_D` and `zseed`; the doctor registers the public half of `x_D`.
pub fn doctor_setup(rng: &mut impl CryptoRngCore) -> (DoctorSecretKey, elgamal::PublicKey) {
    let mut zseed = [0u8; 32];
    rng.fill_bytes(&mut zseed);
    let secret = DoctorSecretKey {
        decryption: elgamal::SecretKey::generate(rng),
        zseed,
    };
    zseed.zeroize();
    let public = secret.public_key();
    (secret, public)
}
