//! The boxes of a fragmented MP4 with one `avc1` track, built with
//! `mp4-atom`: the initial `ftyp` + `moov`, a `moof` per fragment, the
//! closing `mfra`, and where the durations sit for patching.

use mp4_atom::{
    Avc1, Avcc, Dinf, Dref, Encode, FourCC, FragmentInfo, Ftyp, Hdlr, Mdhd, Mdia, Mfhd, Mfra, Mfro,
    Minf, Moof, Moov, Mvex, Mvhd, Stbl, Stco, Stsd, Tfdt, Tfhd, Tfra, Tkhd, Traf, Trak, Trex, Trun,
    TrunEntry, Url, Visual, Vmhd,
};

use crate::error::{Error, ErrorKind, Result};
use crate::h264::Sps;

/// The one track's number.
pub(crate) const TRACK_ID: u32 = 1;

/// `sample_flags` of a key frame: depends on no other sample.
pub(crate) const KEY_FLAGS: u32 = 0x0200_0000;
/// `sample_flags` of a delta frame: depends on others, not a sync sample.
pub(crate) const DELTA_FLAGS: u32 = 0x0101_0000;

pub(crate) fn atom_error(what: &str, e: mp4_atom::Error) -> Error {
    Error::with_source(ErrorKind::Format, what.to_string(), e)
}

/// What the track header needs: the picture and its parameter sets.
#[derive(Clone, Debug)]
pub(crate) struct TrackConfig {
    pub(crate) sps: Sps,
    /// The SPS and PPS NAL units, without start codes.
    pub(crate) sps_nal: Vec<u8>,
    pub(crate) pps_nal: Vec<u8>,
    pub(crate) timescale: u32,
}

/// `ftyp` and `moov` with zero durations (fragments carry the samples).
pub(crate) fn init_segment(config: &TrackConfig) -> Result<Vec<u8>> {
    let (width, height) = (config.sps.width, config.sps.height);
    let (Ok(w16), Ok(h16)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!("{width}x{height} is larger than an mp4 sample entry holds"),
        ));
    };
    let ftyp = Ftyp {
        major_brand: FourCC::new(b"isom"),
        minor_version: 0x200,
        compatible_brands: vec![
            FourCC::new(b"isom"),
            FourCC::new(b"iso6"),
            FourCC::new(b"avc1"),
            FourCC::new(b"mp41"),
        ],
    };
    let avc1 = Avc1 {
        visual: Visual {
            data_reference_index: 1,
            width: w16,
            height: h16,
            horizresolution: 72.into(),
            vertresolution: 72.into(),
            frame_count: 1,
            compressor: "".into(),
            depth: 24,
        },
        avcc: Avcc {
            configuration_version: 1,
            avc_profile_indication: config.sps.profile_idc,
            profile_compatibility: config.sps.constraint_flags,
            avc_level_indication: config.sps.level_idc,
            length_size: 4,
            sequence_parameter_sets: vec![config.sps_nal.clone()],
            picture_parameter_sets: vec![config.pps_nal.clone()],
            ext: None,
        },
        btrt: None,
        colr: None,
        pasp: None,
        taic: None,
        fiel: None,
        spatial: None,
    };
    let moov = Moov {
        mvhd: Mvhd {
            creation_time: 0,
            modification_time: 0,
            timescale: config.timescale,
            duration: 0,
            rate: 1.into(),
            volume: 1.into(),
            matrix: Default::default(),
            next_track_id: TRACK_ID + 1,
        },
        mvex: Some(Mvex {
            mehd: None,
            trex: vec![Trex {
                track_id: TRACK_ID,
                default_sample_description_index: 1,
                default_sample_duration: 0,
                default_sample_size: 0,
                default_sample_flags: 0,
            }],
        }),
        trak: vec![Trak {
            tkhd: Tkhd {
                creation_time: 0,
                modification_time: 0,
                track_id: TRACK_ID,
                duration: 0,
                layer: 0,
                alternate_group: 0,
                enabled: true,
                in_movie: true,
                size_is_aspect_ratio: false,
                volume: 0.into(),
                matrix: Default::default(),
                width: w16.into(),
                height: h16.into(),
            },
            mdia: Mdia {
                mdhd: Mdhd {
                    creation_time: 0,
                    modification_time: 0,
                    timescale: config.timescale,
                    duration: 0,
                    language: "und".into(),
                },
                hdlr: Hdlr {
                    handler: FourCC::new(b"vide"),
                    name: "VideoHandler".into(),
                },
                minf: Minf {
                    vmhd: Some(Vmhd::default()),
                    dinf: Dinf {
                        dref: Dref {
                            entries: vec![Url::default().into()],
                        },
                    },
                    stbl: Stbl {
                        stsd: Stsd {
                            codecs: vec![avc1.into()],
                        },
                        stco: Some(Stco::default()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            },
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut out = Vec::new();
    ftyp.encode(&mut out)
        .and_then(|()| moov.encode(&mut out))
        .map_err(|e| atom_error("encoding the mp4 header", e))?;
    Ok(out)
}

/// One sample of a fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SampleEntry {
    pub(crate) size: u32,
    pub(crate) duration: u32,
    pub(crate) key: bool,
}

/// The `moof` of fragment `sequence` whose samples start at decode time
/// `base_time` and follow it in one `mdat` of `data_len` bytes, plus that
/// `mdat`'s header.
pub(crate) fn fragment_header(
    sequence: u32,
    base_time: u64,
    samples: &[SampleEntry],
    data_len: u64,
) -> Result<Vec<u8>> {
    let mut moof = Moof {
        mfhd: Mfhd {
            sequence_number: sequence,
        },
        traf: vec![Traf {
            tfhd: Tfhd {
                track_id: TRACK_ID,
                default_base_is_moof: true,
                ..Default::default()
            },
            tfdt: Some(Tfdt {
                base_media_decode_time: base_time,
            }),
            trun: vec![Trun {
                data_offset: Some(0),
                samples: samples
                    .iter()
                    .map(|s| TrunEntry {
                        duration: Some(s.duration),
                        size: Some(s.size),
                        flags: Some(if s.key { KEY_FLAGS } else { DELTA_FLAGS }),
                        cts: None,
                    })
                    .collect::<Vec<_>>()
                    .into(),
            }],
            ..Default::default()
        }],
    };
    let mut out = Vec::new();
    moof.encode(&mut out)
        .map_err(|e| atom_error("encoding a fragment header", e))?;
    // The samples start after the moof and the mdat header.
    let (header, total) = mdat_header(data_len);
    let offset = i32::try_from(out.len() + header.len()).map_err(|_| {
        Error::new(
            ErrorKind::LimitExceeded,
            "fragment header larger than 2 GiB",
        )
    })?;
    moof.traf[0].trun[0].data_offset = Some(offset);
    out.clear();
    moof.encode(&mut out)
        .map_err(|e| atom_error("encoding a fragment header", e))?;
    debug_assert_eq!(total, data_len + header.len() as u64);
    out.extend_from_slice(&header);
    Ok(out)
}

/// Where the duration of the last sample of the `trun` in a fragment header
/// is (`None` when the `trun` has no per-sample durations).
pub(crate) fn last_trun_duration(header: &[u8]) -> Option<usize> {
    let p = header.windows(4).position(|w| w == b"trun")?;
    let start = p.checked_sub(4)?;
    let size = u32::from_be_bytes(header.get(start..p)?.try_into().ok()?) as usize;
    let flags = u32::from_be_bytes(header.get(p + 4..p + 8)?.try_into().ok()?) & 0xFF_FFFF;
    if flags & 0x100 == 0 {
        return None;
    }
    // Duration, size, flags, composition offset: 4 bytes each when present.
    let entry = 4 * (flags & 0xF00).count_ones() as usize;
    let at = start.checked_add(size)?.checked_sub(entry)?;
    (at >= p + 12 && at + entry <= header.len()).then_some(at)
}

/// The header of an `mdat` holding `data_len` bytes (a 64-bit size when
/// needed) and the box's whole size.
fn mdat_header(data_len: u64) -> (Vec<u8>, u64) {
    match u32::try_from(data_len + 8) {
        Ok(size) => {
            let mut h = size.to_be_bytes().to_vec();
            h.extend_from_slice(b"mdat");
            (h, data_len + 8)
        }
        Err(_) => {
            let mut h = 1u32.to_be_bytes().to_vec();
            h.extend_from_slice(b"mdat");
            h.extend_from_slice(&(data_len + 16).to_be_bytes());
            (h, data_len + 16)
        }
    }
}

/// A fragment's first sample, for the random-access index.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FragmentStart {
    pub(crate) time: u64,
    pub(crate) moof_offset: u64,
}

/// The `mfra` index: each fragment's start time and offset (every
/// fragment starts with a key frame or continues a GOP; players seek to
/// the key frames through the sample flags).
pub(crate) fn mfra(fragments: &[FragmentStart]) -> Result<Vec<u8>> {
    let mut mfra = Mfra {
        tfra: vec![Tfra {
            track_id: TRACK_ID,
            entries: fragments
                .iter()
                .map(|f| FragmentInfo {
                    time: f.time,
                    moof_offset: f.moof_offset,
                    traf_number: 1,
                    trun_number: 1,
                    sample_delta: 1,
                })
                .collect(),
        }],
        mfro: Mfro { parent_size: 0 },
    };
    let mut out = Vec::new();
    mfra.encode(&mut out)
        .map_err(|e| atom_error("encoding the fragment index", e))?;
    mfra.mfro.parent_size = u32::try_from(out.len())
        .map_err(|_| Error::new(ErrorKind::LimitExceeded, "fragment index larger than 4 GiB"))?;
    out.clear();
    mfra.encode(&mut out)
        .map_err(|e| atom_error("encoding the fragment index", e))?;
    Ok(out)
}

/// Offsets, within `init`, of the 64-bit duration fields of its `mvhd`,
/// `tkhd` and `mdhd` (all version 1).
pub(crate) fn duration_fields(init: &[u8]) -> Vec<usize> {
    let mut at = Vec::new();
    for (kind, offset) in [(b"mvhd", 32usize), (b"tkhd", 36), (b"mdhd", 32)] {
        if let Some(p) = init.windows(4).position(|w| w == kind)
            && p >= 4
            && init.get(p + 4) == Some(&1)
            && p - 4 + offset + 8 <= init.len()
        {
            at.push(p - 4 + offset);
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp4_atom::{Any, Decode};

    fn config() -> TrackConfig {
        let sps_nal = vec![
            0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
        ];
        TrackConfig {
            sps: Sps::parse(&sps_nal).unwrap(),
            sps_nal,
            pps_nal: vec![0x68, 0xce, 0x3c, 0x80],
            timescale: 90_000,
        }
    }

    #[test]
    fn init_segment_decodes_back() {
        let mut init = init_segment(&config()).unwrap();
        let fields = duration_fields(&init);
        assert_eq!(fields.len(), 3);
        for &f in &fields {
            init[f..f + 8].copy_from_slice(&1234u64.to_be_bytes());
        }
        let mut buf = std::io::Cursor::new(&init[..]);
        let Any::Ftyp(_) = Any::decode(&mut buf).unwrap() else {
            panic!("no ftyp")
        };
        let Any::Moov(moov) = Any::decode(&mut buf).unwrap() else {
            panic!("no moov")
        };
        assert_eq!(moov.mvhd.duration, 1234);
        assert_eq!(moov.trak[0].tkhd.duration, 1234);
        assert_eq!(moov.trak[0].mdia.mdhd.duration, 1234);
        assert_eq!(moov.trak[0].mdia.mdhd.timescale, 90_000);
        assert_eq!(moov.trak[0].tkhd.width.integer(), 640);
    }

    #[test]
    fn fragment_offsets_point_past_the_mdat_header() {
        let samples = [
            SampleEntry {
                size: 10,
                duration: 3003,
                key: true,
            },
            SampleEntry {
                size: 5,
                duration: 3003,
                key: false,
            },
        ];
        let head = fragment_header(7, 6006, &samples, 15).unwrap();
        let mut buf = std::io::Cursor::new(&head[..]);
        let Any::Moof(moof) = Any::decode(&mut buf).unwrap() else {
            panic!("no moof")
        };
        let moof_len = buf.position() as usize;
        assert_eq!(&head[moof_len + 4..moof_len + 8], b"mdat");
        assert_eq!(head.len(), moof_len + 8);
        let traf = &moof.traf[0];
        assert_eq!(traf.trun[0].data_offset, Some(head.len() as i32));
        assert_eq!(traf.tfdt.as_ref().unwrap().base_media_decode_time, 6006);
        assert_eq!(moof.mfhd.sequence_number, 7);
        let index = mfra(&[FragmentStart {
            time: 0,
            moof_offset: 100,
        }])
        .unwrap();
        assert_eq!(&index[4..8], b"mfra");
        let tail = u32::from_be_bytes(index[index.len() - 4..].try_into().unwrap());
        assert_eq!(tail as usize, index.len());
    }
}
