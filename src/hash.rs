//! FNV-1a: a small, stable, non-cryptographic hash for what must come out the same on every
//! run and machine (draft fingerprints, site manifests, ETags, branch names).

/// An FNV-1a (64-bit) hash being computed.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Take in bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash.
    pub fn finish(self) -> u64 {
        self.0
    }
}

/// The FNV-1a hash of bytes.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv::default();
    h.write(bytes);
    h.finish()
}

/// A digest for what must not collide even when someone tries: whether a published file or
/// a commitment's inputs changed, where a collision would leave a stale page up. The first
/// 128 bits of SHA-256 (computed with the CPU's SHA instructions where it has them, faster
/// than FNV-1a's byte at a time).
#[derive(Clone, Default)]
pub struct Digest(sha2::Sha256);

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Digest")
    }
}

impl Digest {
    /// Take in bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }

    /// The digest.
    pub fn finish(self) -> u128 {
        let full = sha2::Digest::finalize(self.0);
        let mut half = [0u8; 16];
        half.copy_from_slice(&full[..16]);
        u128::from_be_bytes(half)
    }
}

/// The [`Digest`] of bytes.
pub fn digest(bytes: &[u8]) -> u128 {
    let mut d = Digest::default();
    d.write(bytes);
    d.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values() {
        // The reference test vectors of FNV-1a 64.
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn digest_is_the_first_half_of_sha256() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
        assert_eq!(super::digest(b"abc"), 0xba78_16bf_8f01_cfea_4141_40de_5dae_2223);
    }
}
