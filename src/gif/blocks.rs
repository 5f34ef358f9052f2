//! [`BlockWalker`]: follows the block structure of a GIF as its bytes go by,
//! to tell an unknown extension (which is skipped) from an unknown block
//! type (which is damage).
//!
//! The `gif` crate's decoder skips extensions with unknown labels only when
//! it is told to allow unknown blocks, and that also lets it read a stray
//! byte where a block should start as the length of an extension, so a
//! damaged file decodes to garbage instead of failing. The walker sees the
//! same bytes as the decoder (pure: it is fed slices, it does no I/O) and
//! remembers the first byte that starts no known block; the reader turns
//! that into a [`ErrorKind::Format`](crate::ErrorKind::Format) error once the
//! decoder has gone past it.

/// Where the walker is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// `left` bytes of the 6-byte signature and the 7-byte screen
    /// descriptor to go; the descriptor's flags are byte 10 of the file.
    Head { left: u8 },
    /// `left` bytes of a colour table; then `then`.
    Table { left: u16, then: AfterTable },
    /// At a block introducer: `!`, `,` or `;`.
    BlockStart,
    /// At an extension's label.
    Label,
    /// `left` bytes of an image descriptor after its `,`; its flags are the
    /// last byte.
    Descriptor { left: u8 },
    /// At an image's LZW minimum code size.
    CodeSize,
    /// At a sub-block's length byte (0 ends the block).
    SubBlockLength,
    /// `left` bytes of a sub-block to go.
    SubBlock { left: u8 },
    /// After the trailer, or after a byte that starts no known block.
    Done,
}

/// What follows a colour table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AfterTable {
    /// The global table: the first block.
    Blocks,
    /// A local table: the image's LZW code size.
    Image,
}

/// A byte where a block should start that starts none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UnknownBlock {
    /// The byte's offset in the file.
    pub(crate) at: u64,
    /// The byte.
    pub(crate) byte: u8,
    /// Image descriptors before it: the index of the first frame it damages.
    pub(crate) frame: u64,
}

/// Follows a GIF's blocks; see the [module docs](self).
#[derive(Clone, Debug)]
pub(crate) struct BlockWalker {
    state: State,
    /// Bytes seen.
    offset: u64,
    /// Image descriptors seen.
    frames: u64,
    /// The size of the colour table announced by the last flags byte.
    table: u16,
    unknown: Option<UnknownBlock>,
}

impl Default for BlockWalker {
    fn default() -> BlockWalker {
        BlockWalker {
            state: State::Head { left: 13 },
            offset: 0,
            frames: 0,
            table: 0,
            unknown: None,
        }
    }
}

/// The bytes of a colour table whose size field is `flags & 7`, if the
/// table flag (bit 7) is set.
fn table_len(flags: u8) -> u16 {
    if flags & 0x80 == 0 {
        0
    } else {
        3 << ((flags & 7) + 1)
    }
}

impl BlockWalker {
    /// The first byte seen that starts no known block, if any.
    pub(crate) fn unknown(&self) -> Option<UnknownBlock> {
        self.unknown
    }

    /// Follows `bytes`, the next bytes of the file.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            // Spans are skipped whole (all but their last byte): tables and
            // sub-block data; everything after the end at once.
            let span = match self.state {
                State::Table { left, .. } => usize::from(left - 1),
                State::SubBlock { left } => usize::from(left - 1),
                State::Done => bytes.len(),
                _ => 0,
            };
            let skip = span.min(bytes.len());
            if skip > 0 {
                match &mut self.state {
                    State::Table { left, .. } => *left -= skip as u16,
                    State::SubBlock { left } => *left -= skip as u8,
                    _ => {}
                }
                self.offset += skip as u64;
                bytes = &bytes[skip..];
                continue;
            }
            self.step(bytes[0]);
            self.offset += 1;
            bytes = &bytes[1..];
        }
    }

    /// What comes after a flags byte that announced `self.table` bytes of
    /// colour table, then `then`.
    fn table_then(&self, then: AfterTable) -> State {
        match self.table {
            0 => after(then),
            left => State::Table { left, then },
        }
    }

    /// Follows one byte (the last of a span, or a structural one).
    fn step(&mut self, b: u8) {
        self.state = match self.state {
            State::Head { left: 1 } => self.table_then(AfterTable::Blocks),
            State::Head { left } => {
                if self.offset == 10 {
                    self.table = table_len(b);
                }
                State::Head { left: left - 1 }
            }
            State::Table { left: 1, then } => after(then),
            State::Table { left, then } => State::Table {
                left: left - 1,
                then,
            },
            State::BlockStart => match b {
                0x21 => State::Label,
                0x2C => State::Descriptor { left: 9 },
                0x3B => State::Done,
                _ => {
                    self.unknown = Some(UnknownBlock {
                        at: self.offset,
                        byte: b,
                        frame: self.frames,
                    });
                    State::Done
                }
            },
            State::Label | State::CodeSize => State::SubBlockLength,
            State::Descriptor { left: 1 } => {
                self.frames += 1;
                self.table = table_len(b);
                self.table_then(AfterTable::Image)
            }
            State::Descriptor { left } => State::Descriptor { left: left - 1 },
            State::SubBlockLength => match b {
                0 => State::BlockStart,
                n => State::SubBlock { left: n },
            },
            State::SubBlock { left: 1 } => State::SubBlockLength,
            State::SubBlock { left } => State::SubBlock { left: left - 1 },
            State::Done => State::Done,
        };
    }
}

/// The state after a colour table (or where it would be).
fn after(then: AfterTable) -> State {
    match then {
        AfterTable::Blocks => State::BlockStart,
        AfterTable::Image => State::CodeSize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GIF with a 2-colour global table and `frames` 1x1 frames, the
    /// second with a 2-colour local table, each after a control extension
    /// and a comment split in two sub-blocks.
    fn file(frames: usize) -> Vec<u8> {
        let mut out = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
        out.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
        for i in 0..frames {
            out.extend_from_slice(&[0x21, 0xF9, 4, 0, 1, 0, 0, 0]);
            out.extend_from_slice(&[0x21, 0xFE, 2, b'h', b'i', 1, b'!', 0]);
            let flags = if i == 1 { 0x80 } else { 0 };
            out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, flags]);
            if i == 1 {
                out.extend_from_slice(&[9, 9, 9, 8, 8, 8]);
            }
            out.extend_from_slice(&[2, 2, 0x4C, 0x01, 0]);
        }
        out.push(0x3B);
        out
    }

    /// The walker after `bytes`, fed whole and one byte at a time (the two
    /// must agree).
    fn walk(bytes: &[u8]) -> BlockWalker {
        let mut whole = BlockWalker::default();
        whole.feed(bytes);
        let mut single = BlockWalker::default();
        for b in bytes {
            single.feed(std::slice::from_ref(b));
        }
        assert_eq!(whole.unknown(), single.unknown());
        assert_eq!((whole.state, whole.frames), (single.state, single.frames));
        whole
    }

    #[test]
    fn follows_a_whole_file() {
        let bytes = file(3);
        let w = walk(&bytes);
        assert_eq!((w.state, w.frames, w.unknown()), (State::Done, 3, None));
        assert_eq!(w.offset, bytes.len() as u64);
        // The gif crate reads the same three frames.
        let mut d = ::gif::DecodeOptions::new().read_info(&bytes[..]).unwrap();
        let mut n = 0;
        while d.read_next_frame().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn an_unknown_label_is_an_extension_and_a_stray_byte_is_not() {
        let bytes = file(2);
        // Before the first frame's control extension, and at the trailer.
        let at = 13 + 6;
        let mut unknown_ext = bytes.clone();
        unknown_ext.splice(at..at, [0x21, 0x99, 3, 1, 2, 3, 0]);
        let w = walk(&unknown_ext);
        assert_eq!((w.state, w.frames, w.unknown()), (State::Done, 2, None));

        let mut stray = bytes.clone();
        let end = stray.len() - 1;
        stray.insert(end, 0x00);
        assert_eq!(
            walk(&stray).unknown(),
            Some(UnknownBlock {
                at: end as u64,
                byte: 0,
                frame: 2
            })
        );
        // A stray byte before everything: frame 0 is damaged.
        let mut first = bytes.clone();
        first.insert(at, 0x99);
        assert_eq!(walk(&first).unknown().map(|u| u.frame), Some(0));
        // Bytes after the trailer are not looked at.
        let mut tail = bytes;
        tail.extend_from_slice(b"junk");
        assert_eq!(walk(&tail).unknown(), None);
    }

    #[test]
    fn a_cut_file_is_not_damage() {
        let bytes = file(2);
        for len in 0..bytes.len() {
            assert_eq!(walk(&bytes[..len]).unknown(), None, "{len}");
        }
    }
}
