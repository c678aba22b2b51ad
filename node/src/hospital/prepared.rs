//! Doctors' transformation keys prepared for pairing, kept in memory. Preparing a key (the
//! Miller-loop lines of each of its G2 points) costs more than a pre-decryption itself, and a
//! doctor opens many records of one epoch with the same key, so each key is prepared once, when
//! it is registered or first used, not on every call.
//!
//! Bounded: a prepared point is about 20 KB, a key a few dozen of them, so at most
//! [`CAPACITY`] keys are kept; past that an arbitrary one is dropped, to be prepared again if
//! it is needed again.

use super::error::Poisoned;
use medchain_crypto::abe::PreparedTransformationKey;
use medchain_runtime::AccountId;
use medchain_types::Epoch;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Most prepared keys kept: far more than the doctors of one hospital use in one epoch.
pub const CAPACITY: usize = 128;

/// Whose key, for which epoch.
type Id = (AccountId, Epoch);

/// The prepared keys, by doctor and epoch.
pub type PreparedKeys = Kept<PreparedTransformationKey>;

/// At most [`CAPACITY`] values by doctor and epoch.
pub struct Kept<V> {
    values: Mutex<HashMap<Id, Arc<V>>>,
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Self {
            values: Mutex::new(HashMap::new()),
        }
    }
}

impl<V> Kept<V> {
    /// The value of `id`, if it is kept.
    pub fn get(&self, id: &Id) -> Result<Option<Arc<V>>, Poisoned> {
        Ok(self.lock()?.get(id).cloned())
    }

    /// Keeps `value` as `id`'s, in place of any earlier one; the kept value.
    pub fn keep(&self, id: Id, value: V) -> Result<Arc<V>, Poisoned> {
        let mut values = self.lock()?;
        if values.len() >= CAPACITY && !values.contains_key(&id) {
            if let Some(evicted) = values.keys().next().cloned() {
                values.remove(&evicted);
            }
        }
        let value = Arc::new(value);
        values.insert(id, value.clone());
        Ok(value)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<Id, Arc<V>>>, Poisoned> {
        self.values
            .lock()
            .map_err(|_| Poisoned("the prepared transformation keys"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> Id {
        let mut account = [0u8; 32];
        account[..4].copy_from_slice(&n.to_le_bytes());
        (AccountId::new(account), Epoch::new(u64::from(n % 3)))
    }

    #[test]
    fn a_key_is_kept_replaced_and_the_count_bounded() {
        let kept = Kept::<u32>::default();
        assert_eq!(kept.get(&id(1)).unwrap(), None);
        kept.keep(id(1), 10).unwrap();
        kept.keep(id(1), 11).unwrap();
        assert_eq!(kept.get(&id(1)).unwrap().as_deref(), Some(&11));
        for n in 0..(2 * CAPACITY as u32) {
            kept.keep(id(n), n).unwrap();
            assert!(kept.lock().unwrap().len() <= CAPACITY);
        }
        let last = 2 * CAPACITY as u32 - 1;
        assert_eq!(kept.get(&id(last)).unwrap().as_deref(), Some(&last));
    }
}
