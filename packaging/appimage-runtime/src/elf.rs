//! The ELF side of an AppImage: where the SquashFS image starts and the `AI\x02` magic.
//!
//! The official runtime and `--appimage-offset` put the image right after the section header table,
//! which is the last thing in a linked (and stripped) ELF file: `e_shoff + e_shnum * e_shentsize`.
//! The magic lives in the ELF identification padding (`e_ident[8..11]`), which loaders ignore.

use crate::Error;

/// Byte offset of the AppImage magic in the file.
pub const MAGIC_OFFSET: usize = 8;
/// The AppImage type-2 magic.
pub const MAGIC: [u8; 3] = *b"AI\x02";
/// Bytes of the ELF header this module reads (the 64-bit header is 64 bytes).
pub const HEADER_LEN: usize = 64;

fn u16_at(h: &[u8], at: usize, big: bool) -> u64 {
    let b = [h[at], h[at + 1]];
    u64::from(if big {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    })
}

fn u32_at(h: &[u8], at: usize, big: bool) -> u64 {
    let b = [h[at], h[at + 1], h[at + 2], h[at + 3]];
    u64::from(if big {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

fn u64_at(h: &[u8], at: usize, big: bool) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[at..at + 8]);
    if big {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    }
}

/// Where the ELF described by `header` (its first [`HEADER_LEN`] bytes or more) ends: the offset
/// of the image appended to it. 32- and 64-bit, either byte order.
pub fn end_of_elf(header: &[u8]) -> Result<u64, Error> {
    if header.len() < 52 || header[..4] != *b"\x7fELF" {
        return Err(Error::Elf("no ELF header".into()));
    }
    let big = match header[5] {
        1 => false,
        2 => true,
        other => return Err(Error::Elf(format!("unknown byte order {other}"))),
    };
    let (shoff, shentsize, shnum) = match header[4] {
        1 => (
            u32_at(header, 0x20, big),
            u16_at(header, 0x2E, big),
            u16_at(header, 0x30, big),
        ),
        2 if header.len() >= HEADER_LEN => (
            u64_at(header, 0x28, big),
            u16_at(header, 0x3A, big),
            u16_at(header, 0x3C, big),
        ),
        other => return Err(Error::Elf(format!("unknown ELF class {other}"))),
    };
    shoff
        .checked_add(shentsize * shnum)
        .filter(|end| *end > 0 && shoff > 0)
        .ok_or_else(|| Error::Elf("no section header table".into()))
}

/// Whether `header` carries the AppImage type-2 magic.
pub fn has_magic(header: &[u8]) -> bool {
    header.get(MAGIC_OFFSET..MAGIC_OFFSET + MAGIC.len()) == Some(&MAGIC[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit little-endian header with the section table at 0x1000, 10 entries of 64 bytes.
    fn header64() -> Vec<u8> {
        let mut h = vec![0u8; HEADER_LEN];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[0x28..0x30].copy_from_slice(&0x1000u64.to_le_bytes());
        h[0x3A..0x3C].copy_from_slice(&64u16.to_le_bytes());
        h[0x3C..0x3E].copy_from_slice(&10u16.to_le_bytes());
        h
    }

    #[test]
    fn the_image_starts_after_the_section_headers() {
        assert_eq!(end_of_elf(&header64()).expect("elf"), 0x1000 + 640);
        let mut h32 = vec![0u8; 52];
        h32[..4].copy_from_slice(b"\x7fELF");
        h32[4] = 1;
        h32[5] = 2;
        h32[0x20..0x24].copy_from_slice(&0x800u32.to_be_bytes());
        h32[0x2E..0x30].copy_from_slice(&40u16.to_be_bytes());
        h32[0x30..0x32].copy_from_slice(&5u16.to_be_bytes());
        assert_eq!(end_of_elf(&h32).expect("elf"), 0x800 + 200);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(end_of_elf(b"#!/bin/sh\n").is_err());
        let mut h = header64();
        h[0x28..0x30].copy_from_slice(&0u64.to_le_bytes());
        assert!(end_of_elf(&h).is_err());
        h[4] = 7;
        assert!(end_of_elf(&h).is_err());
    }

    #[test]
    fn magic_at_byte_8() {
        let mut h = header64();
        assert!(!has_magic(&h));
        h[8..11].copy_from_slice(&MAGIC);
        assert!(has_magic(&h));
        assert!(!has_magic(&h[..9]));
    }
}
