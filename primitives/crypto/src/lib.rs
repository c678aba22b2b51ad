//! MedChain cryptography.
//!
//! Everything in `shared/design/CRYPTO.md`, with no Substrate dependency beyond SCALE:
//!
//! * [`abe`]: revocable, server-aided ciphertext-policy ABE on BLS12-381 (Rouselakis-Waters large
//!   universe + Boldyreva-Goyal-Kumar tree revocation with one shared `alpha` and node shares +
//!   Green-Hohenberger-Waters outsourced decryption). The doctor holds `SK` and gives their
//!   hospital a transformation key per epoch; the hospital runs [`abe::pre_decrypt`]; only the
//!   doctor's `zseed` finishes with [`abe::decrypt`].
//! * [`policy`]: `AND` / `OR` / `k of (...)` policies, their LSSS matrix and reconstruction.
//! * [`tree`]: the revocation tree and `KUNodes`, shared with the runtime (no pairings, `no_std`).
//! * [`index`]: HMAC keyword indices, trapdoors and matching.
//! * [`elgamal`] and [`dleq`]: hospital/patient keys and the dispute proof (verifiable in `no_std`).
//! * [`encoding`]: SCALE for group elements (compressed, validated on decode) and bounded lists.
//! * [`ct`]: constant-time table reads and exponentiation, used for every secret exponent.
//! * [`hazmat`]: sealing under caller-chosen associated data and keys from raw bytes, for the
//!   few places the main API does not fit.
//!
//! Randomness is always passed in (`rng: &mut impl CryptoRngCore`), so the crate works without
//! `std`; the node and clients pass an OS-seeded generator, or [`seeded_rng`] where the result
//! must be reproducible.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod abe;
pub mod aead;
pub mod ct;
pub mod dleq;
pub mod elgamal;
pub mod encoding;
mod error;
pub mod hash;
pub mod hazmat;
pub mod index;
pub mod policy;
pub mod tree;

pub use error::{Error, Result};

/// Random number generators accepted by this crate: cryptographically secure ones only.
pub trait CryptoRngCore: ark_std::rand::RngCore + ark_std::rand::CryptoRng {}
impl<R: ark_std::rand::RngCore + ark_std::rand::CryptoRng> CryptoRngCore for R {}

/// A deterministic generator: the same seed always gives the same keys. For a KGC that keeps its
/// set-up reproducible from one backed-up seed, the development network's well-known secrets, and
/// benchmarks in the runtime, which has no entropy. Never share a seed between two purposes.
pub fn seeded_rng(seed: [u8; 32]) -> impl CryptoRngCore + Clone {
    use ark_std::rand::SeedableRng;
    rand_chacha::ChaCha20Rng::from_seed(seed)
}

/// The scalar field of BLS12-381 (`Zp`).
pub type Fr = ark_bls12_381::Fr;
